"""The 资金支出计划 totals and the sheet that shows them."""
