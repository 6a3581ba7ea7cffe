let notf = 1; in notf 2
