"""xlwings Server's custom scripts: jixiao's desktop buttons (see jixiao.addin.server.registry)."""
from jixiao.addin.server.registry import add_project, clear_marks, export_docx, refresh_totals, validate  # noqa: F401
