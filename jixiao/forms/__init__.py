"""Official tables: the layouts as data, the typed model, drawing and reading workbooks."""
