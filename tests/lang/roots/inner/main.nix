{ inside = import ./sub/value.nix; }
