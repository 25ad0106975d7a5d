"""xlwings Server auth providers of this project."""
