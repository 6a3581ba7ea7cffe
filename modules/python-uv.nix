# Python with uv (from PyPI, pinned). uv's cache lives on a named volume shared by every
# environment of the project, owned by the mapped user, so installs are fast and nothing
# of it enters the image.
{ lib, ... }:
let
  cache = "/var/cache/uv";
in
{
  build.apt = [
    "python3"
    "python3-venv"
    "python3-pip"
    "ca-certificates"
  ];
  build.pip.packages = [ "uv==0.9.5" ];
  build.env = {
    # Use the image's interpreter; never download one at run time.
    UV_PYTHON_DOWNLOADS = "never";
    UV_PYTHON = "/usr/bin/python3";
    # The cache is a different filesystem from the project; hard links would fail.
    UV_LINK_MODE = "copy";
  };
  run.env.UV_CACHE_DIR = cache;
  run.volumes = [
    {
      name = "{project_slug}-uv-cache";
      target = cache;
      chown = true;
    }
  ];
}
