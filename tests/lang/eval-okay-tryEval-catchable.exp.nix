[ false false true true true true ]
