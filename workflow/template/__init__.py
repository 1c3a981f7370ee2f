"""The department template (填报模板) workbook: layout, styles, 填报说明, live 自检 formulas.
Imports: domain, formats, read."""
