# A typical environment description: one file importing a few modules.
let
  lib = import ./modules/lib.nix;
  team = [ "alice" "bob" "carol" "dave" "erin" "frank" "grace" "heidi" ];
in lib.mergeModules [
  (import ./modules/system.nix { inherit lib; gpu = true; })
  (import ./modules/python.nix { inherit lib; })
  (import ./modules/users.nix { inherit lib team; })
  {
    name = "research-env";
    env.LANG = lib.mkForce "en_US.UTF-8";
    run.workdir = "/work";
    run.ports = map (p: { host = p; container = p; }) (lib.range 8000 8010);
    labels = lib.mapAttrs' (n: v: lib.nameValuePair "org.envc.${n}" v) { team = "ml"; owner = "alice"; cost-center = "42"; };
  }
]
