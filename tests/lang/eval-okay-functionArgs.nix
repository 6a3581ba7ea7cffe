with builtins;
[ (functionArgs ({ a, b ? 1, ... }: a)) (functionArgs (x: x)) (functionArgs ({ }: 1)) (functionArgs (s@{ x ? 2 }: x)) (functionArgs map) ]
