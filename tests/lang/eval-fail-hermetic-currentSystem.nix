let s = builtins.currentSystem; in "${s}"
