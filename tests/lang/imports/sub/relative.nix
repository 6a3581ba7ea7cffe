# Paths inside an imported file are relative to that file, not to the importer.
{ sibling = import ./sibling.nix; parent = (import ../value.nix).answer; text = builtins.readFile ./text.txt; }
