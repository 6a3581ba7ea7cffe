# Several variants of one environment (CPU/GPU x Python versions), as a CI matrix would.
let
  lib = import ./modules/lib.nix;
  variant = gpu: python: lib.mergeModules [
    (import ./modules/system.nix { inherit lib gpu; })
    (import ./modules/python.nix { inherit lib python; })
    (import ./modules/users.nix { inherit lib; team = [ "ci" "bot" ]; })
    { name = "env-${if gpu then "gpu" else "cpu"}-py${python}"; }
  ];
in builtins.listToAttrs (lib.flatten (map (gpu: map (py: lib.nameValuePair "${if gpu then "gpu" else "cpu"}-${py}" (variant gpu py)) [ "3.10" "3.11" "3.12" ]) [ true false ]))
