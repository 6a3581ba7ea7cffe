let x = "interp"; in {
  basic = ''
    line one
      indented
    line three
  '';
  noTrailingNewline = ''
    a
    b'';
  firstLineContent = ''first
    second
  '';
  escapes = ''
    dollar ''${x} quote ''' tab ''\t nl ''\n backslash \ $ alone $$ end
  '';
  interp = ''
    before ${x} after
      ${x}
  '';
  empty = '''';
  onlySpaces = ''
  '';
  blankLinesIgnored = ''

      a

        b
  '';
  tabsNotStripped = ''
	tab
  '';
  interpolationAtStart = ''
    ${x} x
  '';
  multilineInterp = ''
    a ${''
      inner
    ''} b
  '';
}
