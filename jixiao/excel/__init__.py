"""Excel's own file formats: VBA projects, compound files, the ribbon, package patches."""
