builtins.fetchurl "https://example.invalid/x.tar.gz"
