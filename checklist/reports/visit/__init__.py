"""Sections of the visit report, one module each, in the order the report has them.

Each section module has `section(ctx) -> list` of flowables; `checklist.reports.visit_report`
assembles them and draws the page furniture. `context` holds the formats they share.
"""
