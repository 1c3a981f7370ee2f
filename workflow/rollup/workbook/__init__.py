"""The rollup workbook (xlsxwriter), one module per sheet; ``book.write_rollup_workbook`` writes it."""
