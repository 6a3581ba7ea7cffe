let s = { loop = s.loop; }; in s
