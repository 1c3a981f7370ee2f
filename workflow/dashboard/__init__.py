"""The coordinator's dashboard page (outbox/index.html) and the 催报 notice: a pure view-model,
values, tables, charts, and the page writer. Imports: stages before it."""
