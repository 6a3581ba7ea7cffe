# envc: only root=roots/inner
# The entry file is allowed; what it imports must stay under `--root`.
import ./roots/inner/escape.nix
