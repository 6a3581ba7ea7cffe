[ 1 2 2 "dflt" true ]
