import <nixpkgs> { }
