"inside"
