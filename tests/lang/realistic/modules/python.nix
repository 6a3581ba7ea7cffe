{ lib, python ? "3.11", withNotebooks ? true }:
let
  base = [ "numpy==1.26.4" "scipy==1.11.4" "pandas==2.1.4" "matplotlib==3.8.2" "requests==2.31.0" "pyyaml==6.0.1" ];
  ml = [ "scikit-learn==1.3.2" "torch==2.1.2" "torchvision==0.16.2" "transformers==4.36.2" "datasets==2.16.1" "accelerate==0.25.0" ];
  notebooks = [ "jupyterlab==4.0.10" "ipywidgets==8.1.1" "notebook==7.0.6" ];
  dev = [ "pytest==7.4.4" "black==23.12.1" "ruff==0.1.11" "mypy==1.8.0" "pre-commit==3.6.0" ];
  all = base ++ ml ++ lib.optionals withNotebooks notebooks ++ dev;
  parse = spec: let parts = builtins.split "==" spec; in { name = builtins.elemAt parts 0; version = builtins.elemAt parts 2; };
in {
  python = {
    version = lib.mkDefault python;
    packages = map parse all;
    requirements = lib.concatMapStringsSep "\n" (p: p) all;
    byName = lib.mapAttrs' (n: v: lib.nameValuePair (lib.toUpper n) v) (builtins.listToAttrs (map (p: let q = parse p; in lib.nameValuePair q.name q.version) all));
  };
  env.PYTHONUNBUFFERED = "1";
  env.PIP_NO_CACHE_DIR = lib.mkDefault "1";
}
