"""Self-evaluation (绩效自评): the 自评表 workbook and its scoring."""
