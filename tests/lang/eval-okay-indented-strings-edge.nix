[
  ''  leading spaces on first line''
  ''
    x
   y
  ''
  ''
      deep
    shallow''
  ''x''\'y''
  '''''''
  ''a'''b''
  '' '''' ''
  ''${"  "}  mixed
    z''
  ''
    ${"interp"} sets no indentation
      but literal text does
  ''
  ''
    a
  	b
  ''
  ''''
  ''
''
]
