[ { success = false; value = false; } { success = true; value = 1; } { success = false; value = false; } true true { success = false; value = false; } false ]
