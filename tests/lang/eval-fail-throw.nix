{ a = 1; b = throw "custom failure message"; }
