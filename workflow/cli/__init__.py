"""The ``workflow`` command (thin: parse, call one function, print, exit) and the demo workspace.
Imports: anything."""

from workflow.cli.commands import main

__all__ = ["main"]
