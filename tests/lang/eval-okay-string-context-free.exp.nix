[ true 2 "string" "y" ]
