# envc: only
# Without `--root`, the root is the entry file's folder: its parent is outside.
import ../value.nix
