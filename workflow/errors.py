"""Exceptions that stop a command. Problems in a submitted file are Findings, never these.

* WorkflowError            base; its message is written for the operator, in Chinese
  * ConfigError            workflow.toml missing, unreadable, unknown key, bad value   (exit 2)
  * UsageProblem           a command was given something it cannot use (a missing file) (exit 2)
  * BusyError              another pass holds the workspace lock                       (exit 3)
  * OutputError            outbox or archive not writable                              (exit 4)
  * TemplateProblem        a docx/xlsx template does not match the data                (exit 4)
An unexpected failure of a pass exits 5 (see cli.py).
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: the message is written for the operator."""

    exit_code = 4


class ConfigError(WorkflowError):
    """workflow.toml is missing, unreadable or has a bad value."""

    exit_code = 2


class UsageProblem(WorkflowError):
    """A command was given an argument it cannot use."""

    exit_code = 2


class BusyError(WorkflowError):
    """Another pass is running on this workspace."""

    exit_code = 3


class OutputError(WorkflowError):
    """An output folder cannot be written."""

    exit_code = 4


class TemplateProblem(WorkflowError):
    """A report template does not match the data it is given."""

    exit_code = 4


EXIT_OK = 0
EXIT_FINDINGS = 1  # `check`: some file has an error finding
EXIT_CONFIG = 2
EXIT_BUSY = 3
EXIT_OUTPUT = 4
EXIT_UNEXPECTED = 5
