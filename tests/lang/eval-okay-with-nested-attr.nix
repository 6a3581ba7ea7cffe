with { pkgs = { hello = "h"; git = "g"; }; lib = { id = x: x; }; };
with pkgs;
[ hello (lib.id git) ]
