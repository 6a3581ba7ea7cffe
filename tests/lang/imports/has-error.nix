{
  value = 1 + true;
}
