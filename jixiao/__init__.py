"""jixiao (绩效): fill, check, total and consolidate budget performance target tables.

The public API::

    from jixiao import read_workbook, write_workbook, UnitWorkbook
    book = read_workbook("units/154001.xlsx")
    write_workbook("copy.xlsx", book)
"""

__version__ = "0.1.0"

from .errors import JixiaoError  # noqa: E402
from .model import Indicator, Project, Unit, UnitWorkbook  # noqa: E402
from .reader import read_workbook  # noqa: E402
from .template import write_workbook  # noqa: E402

__all__ = ["JixiaoError", "Indicator", "Project", "Unit", "UnitWorkbook", "read_workbook",
           "write_workbook", "__version__"]
