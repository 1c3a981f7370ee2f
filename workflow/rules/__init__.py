"""The consistency rules (勾稽关系 R1–R14 and the project's own checks) applied to one Submission.
Pure: no file, clock or I/O library. Imports: domain, formats.

Public face: ``check_submission``, ``CheckContext``, ``compute_totals``, ``RULE_IDS``, ``rule_label``."""
