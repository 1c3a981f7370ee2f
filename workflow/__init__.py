"""政府信息公开工作年度报告: collect, check, consolidate and report department submissions."""

__version__ = "0.1.0"
