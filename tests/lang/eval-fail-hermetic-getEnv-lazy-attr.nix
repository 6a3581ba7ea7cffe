{ ok = 1; home = builtins.getEnv "HOME"; }
