# envc: only root=..
import ../../outside.nix
