"""The report documents: sentences from the numbers, the tables, the district office's own text,
the .docx and the PDF. ``text``/``tables`` are pure. Imports: stages before it."""
