"""The domain's plain data: findings, a submission, a unit's record, the settings and roster,
file names made from unit names. Pure: imports only the standard library and ``workflow.errors``."""
