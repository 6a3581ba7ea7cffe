with builtins;
let vals = [ 1 1.0 "s" ./. null true [ ] { } (x: x) ({ a }: a) map ]; in
{
  typeOf = map typeOf vals;
  isAttrs = map isAttrs vals;
  isBool = map isBool vals;
  isFloat = map isFloat vals;
  isFunction = map isFunction vals;
  isInt = map isInt vals;
  isList = map isList vals;
  isNull = map isNull vals;
  isPath = map isPath vals;
  isString = map isString vals;
}
