let f = x: if x > 0 then "pos" else if x < 0 then "neg" else "zero"; in
[ (f 1) (f (-1)) (f 0) (if true then 1 else throw "no") (if false then throw "no" else 2) ]
