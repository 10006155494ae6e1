// segue_drop_readonly unmaps the pages of every loaded object's read-only
// segments and returns the bytes it advised.
unsigned long segue_drop_readonly(void);
// segue_fault_single_pages registers the same segments with a
// userfaultfd, asynchronous write-protect mode (see readonly.c); 0, or
// the errno.
int segue_fault_single_pages(void);
