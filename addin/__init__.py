"""Excel-facing entry points (xlwings scripts and UDFs) — see issue #6."""
