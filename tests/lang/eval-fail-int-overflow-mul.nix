let big = 4294967296; in big * big
