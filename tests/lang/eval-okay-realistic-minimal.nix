# A realistic environment description with imports (also benchmarked in benches/eval).
import ./realistic/minimal.nix
