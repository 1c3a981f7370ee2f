"""The project's report templates (docx) and committed department templates (xlsx), as package data."""
