# envc: only root=roots/inner
builtins.readFile ./roots/secret.txt
