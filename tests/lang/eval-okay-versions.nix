with builtins;
{
  compare = map (p: compareVersions (elemAt p 0) (elemAt p 1)) [
    [ "1.0" "2.3" ] [ "2.1" "2.3" ] [ "2.3" "2.3" ] [ "2.5" "2.3" ] [ "3.1" "2.3" ] [ "2.3.1" "2.3" ] [ "2.3.1" "2.3a" ]
    [ "2.3pre1" "2.3" ] [ "2.3" "2.3pre1" ] [ "2.3pre3" "2.3pre12" ] [ "2.3a" "2.3c" ] [ "2.3pre1" "2.3c" ] [ "2.3pre1" "2.3q" ]
    [ "1.0" "1.0.0" ] [ "1" "1a" ] [ "" "1" ] [ "10" "9" ] [ "1.2.3" "1.2.3" ] [ "1_2" "1.2" ]
  ];
  split = map splitVersion [ "1.2.3" "2.3pre1" "1.0-rc2" "" "a.b" "1.2.3.4.5" "10abc20" "1__2" ];
  drv = map parseDrvName [ "hello-2.10" "nix-0.12pre12876" "a-b-c-1.0" "noversion" "foo-bar" "python3.11-numpy-1.26.4" "x-1" ];
}
