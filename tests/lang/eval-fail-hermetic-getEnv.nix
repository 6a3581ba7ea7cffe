builtins.getEnv "HOME"
