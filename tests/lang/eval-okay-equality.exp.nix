[ true true true false true false true false true false false true false true true true false ]
