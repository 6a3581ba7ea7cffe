fetchTarball "https://example.invalid/x.tar.gz"
