"""Sections of the monitor report, one module each, in the order the report has them.

Each section module has `section(ctx) -> list` of flowables; `checklist.reports.monitor_report`
assembles them and draws the page furniture. `context` holds the report's data
(`MonitorReport`) and its formats, `tables` the header styles the section tables share.
"""
