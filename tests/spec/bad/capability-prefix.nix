{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.cap_add = [ "CAP_SYS_PTRACE" ];
}
