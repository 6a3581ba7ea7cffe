# Laziness does not hide errors in the result: strict output forces every element.
[ 1 (throw "forced by strict output") ]
