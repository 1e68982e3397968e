"""One module per section of the month-end report, each defining `SECTION` (a ReportSection).

services.report.sections() finds them; a register's section is one new module here.
"""
