let self = import ./imports/recursive.nix; in self.loop
