builtins.fetchGit { url = "https://example.invalid/repo.git"; }
