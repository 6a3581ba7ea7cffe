[ true false true "hello from sub\n" true 71 true ]
