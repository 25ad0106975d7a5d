"""xlwings Server for jixiao: one Python server, Excel calls it (for offices where Python is not on every PC)."""
