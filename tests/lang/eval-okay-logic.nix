[ (true && false) (true || false) (!true) (! false) (false -> throw "not forced") (true -> false) (true -> true)
  (false && throw "short circuit") (true || throw "short circuit") (!false && true) (true || false && false)
  (false -> false -> false) ((false -> false) -> false) (1 < 2 == true) ]
