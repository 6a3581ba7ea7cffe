# A browser IDE (JupyterLab) behind a company proxy: builds and the running server use the
# host's proxy and CA bundle, the IDE's port is published on loopback, and plots can open
# X11 windows on the host display.
{ lib, ... }:
{
  imports = [
    <envc/proxy-ca.nix>
    <envc/x11.nix>
    <envc/python-uv.nix>
    <envc/host-user.nix>
  ];

  name = "browser-ide";
  description = "JupyterLab on loopback:8888 with proxy, CA and X11 pass-through";
  base.debootstrap.suite = "bookworm";

  build.apt = [
    "python3-tk"
    "git"
  ];
  build.pip.packages = [
    "jupyterlab==4.2.5"
    "matplotlib==3.9.2"
  ];
  build.cmd = [
    "jupyter"
    "lab"
    "--ip=0.0.0.0"
    "--port=8888"
    "--no-browser"
  ];

  run = {
    ports = [
      {
        container = 8888;
        host = 8888;
      }
    ];
    env.JUPYTER_CONFIG_DIR = "/home/{user}/.jupyter";
    pass_env = [ "DISPLAY" ];
    post_start = [ "mkdir -p /home/{user}/.jupyter && chown {uid}:{gid} /home/{user}/.jupyter" ];
  };
}
