# Behind a company proxy or a TLS-intercepting network: pass the host's proxy variables and
# CA bundle to build steps and to the running environment. Both are host material: they are
# mounted and passed at build and start time, never written into the image.
{ lib, ... }:
{
  build.apt = [ "ca-certificates" ];
  build_host = {
    proxy = true;
    ca_certificates = true;
  };
  run.proxy = true;
  run.ca_certificates = true;
}
