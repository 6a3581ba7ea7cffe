{ t = builtins.currentTime; }
