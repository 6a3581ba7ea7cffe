{ name = "from-b"; }
