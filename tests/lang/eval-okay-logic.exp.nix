[ false true false true true false true false true true true true false true ]
