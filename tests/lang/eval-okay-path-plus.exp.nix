[ "/sub/file.nix" "/dir/x" "/a/c" "/a/b" "/ab" true ]
