[
  "name"
  "demo"
]
