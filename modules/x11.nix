# Show GUI windows on the host's X server: the display and X socket are forwarded at start;
# the image gets the client libraries most toolkits load.
{ lib, ... }:
{
  build.apt = [
    "libx11-6"
    "libxext6"
    "libxrender1"
    "libxtst6"
    "libxi6"
    "libgl1"
    "xauth"
    "x11-apps"
  ];
  run.x11 = true;
  # Qt and GTK use MIT-SHM, which needs the host's IPC namespace.
  run.ipc = lib.mkDefault "host";
  run.env.QT_X11_NO_MITSHM = "1";
}
