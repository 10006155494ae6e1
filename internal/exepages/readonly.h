// segue_drop_readonly unmaps the pages of every loaded object's read-only
// segments and returns the bytes it advised.
unsigned long segue_drop_readonly(void);
