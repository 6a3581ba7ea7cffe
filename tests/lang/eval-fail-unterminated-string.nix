"no end
