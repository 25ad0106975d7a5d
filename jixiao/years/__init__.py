"""Year over year: carry a workbook forward, compare two years."""
