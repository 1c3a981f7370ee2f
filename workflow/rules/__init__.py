"""The consistency rules (勾稽关系 R1–R14 and the project's own checks) applied to one Submission.
Pure: no file, clock or I/O library. Imports: domain, formats.

Public face: ``check_submission``, ``CheckContext``, ``compute_totals``, ``RULE_IDS``, ``rule_label``.
Rule families live one per module (numbers, equations, info, previous_year, narrative); import their
other names from the module that defines them."""

from workflow.rules.apply import check_submission
from workflow.rules.context import CheckContext
from workflow.rules.ids import RULE_IDS, rule_label
from workflow.rules.totals import compute_totals

__all__ = ["RULE_IDS", "CheckContext", "check_submission", "compute_totals", "rule_label"]
