# Drive the host's Docker engine from inside the environment: the Docker client (Debian's
# `docker.io`) and the host's socket.
{ lib, ... }:
{
  build.apt = [ "docker.io" ];
  run.docker_socket = true;
  run.env.DOCKER_HOST = "unix:///var/run/docker.sock";
}
