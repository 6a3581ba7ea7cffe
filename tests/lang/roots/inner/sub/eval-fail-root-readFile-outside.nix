# envc: only root=..
builtins.readFile ../../secret.txt
