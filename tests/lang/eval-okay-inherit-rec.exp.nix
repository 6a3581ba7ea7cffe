{ set = { z = 1; }; x = "from let"; y = "from let!"; z = 1; }
