{ x = "hello"; y = "hello world"; }
