{ x = "from-with"; y = "let-y"; }
