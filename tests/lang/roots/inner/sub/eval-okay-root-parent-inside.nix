# envc: root=..
# With `--root` at the parent folder, the parent's files are inside the project.
import ../value.nix
