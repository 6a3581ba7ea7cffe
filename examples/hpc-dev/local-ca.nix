# Local only (not committed): this machine reaches PyPI through a TLS-intercepting proxy.
{ ... }: { imports = [ ./envc.nix ]; build_host.ca_certificates = true; }
