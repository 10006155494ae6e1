// segue_drop_single_pages unmaps the pages of every loaded object's
// read-only segments and registers each
// with a userfaultfd, asynchronous write-protect mode, one by one (see
// readonly.c); *err is 0 or the errno that kept the registration from
// happening. Returns the bytes dropped.
unsigned long segue_drop_single_pages(int *err);
