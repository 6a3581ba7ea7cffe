# envc: only root=..
# The escape happens in an imported file: the error points there.
(import ../escape.nix).v
