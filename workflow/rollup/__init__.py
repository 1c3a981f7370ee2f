"""The district rollup: exact totals and summary.json (``summary``, pure), the export for the level
above, and the rollup workbook (``workbook/``, one module per sheet). Imports: stages before it."""
