[ true false true true false true true false false ]
