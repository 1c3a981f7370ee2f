"""Reading published 年度报告 (Word, PDF, web page, text) into a Submission."""
