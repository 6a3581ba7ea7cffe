{ name = "from-a"; }
