[ 1 0 "deep" null 3 ]
