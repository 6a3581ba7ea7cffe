builtins.exec [ "echo" "hi" ]
