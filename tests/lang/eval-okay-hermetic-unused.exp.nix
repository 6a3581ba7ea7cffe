{ lazyAttr = 1; ok = true; }
