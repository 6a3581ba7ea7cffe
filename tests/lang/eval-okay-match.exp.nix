[ [ ] null null [ ] [ "a" null ] [ "foo" "123" ] [ ] [ ] [ ] [ ] [ ] [ ] [ ] [ "default" ] [ "tar.gz" ] [ ] [ "a" "bcd" "" ] [ ] null [ ] [ ] [ ] [ ] [ null "y" ] [ ] [ ] [ ] ]
