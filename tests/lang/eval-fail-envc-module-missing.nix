# envc: only
import <envc/no-such-module.nix>
