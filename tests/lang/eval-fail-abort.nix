if true then abort "aborting evaluation" else 1
