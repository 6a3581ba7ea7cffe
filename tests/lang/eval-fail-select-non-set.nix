let n = 1; in n.x
