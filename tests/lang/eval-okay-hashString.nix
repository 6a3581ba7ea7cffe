with builtins;
let algos = [ "md5" "sha1" "sha256" "sha512" ]; inputs = [ "" "abc" "hello world\n" "é☃" ]; in
map (a: map (s: hashString a s) inputs) algos
