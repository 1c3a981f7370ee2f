"""Checking one department file end to end (read, rules, verdict) and the feedback it gets: the
回执 text and the annotated copy. Imports: domain, formats, store, read, rules, template."""
