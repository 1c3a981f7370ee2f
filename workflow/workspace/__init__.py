"""A workspace folder: loading and validating workflow.toml, creating a new workspace.
Imports: stages before it."""
