{ a-b = 1; d = 2; dyn = 3; nested = { inner = { inherit = "keyword as attr name"; }; name = "dyn"; }; }
