# The smallest useful description: one import, a few packages.
let lib = import ./modules/lib.nix; in
lib.mergeModules [
  (import ./modules/python.nix { inherit lib; withNotebooks = false; })
  { name = "minimal"; system.packages = [ "git" "curl" ]; }
]
