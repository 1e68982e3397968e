"""How many rows a register list reads at a time: one constant for the query
layer and the list widget. About four screens of a tall terminal; keyset pages
of this size cost ~0.1 ms at 1,000,000 rows, so there is no gain in more."""

PAGE_SIZE = 100
