"""Pure logic: criteria, scoring, access, labels, filters, passwords, the save protocol.

Nothing here knows Flask, SQL or ReportLab (import-linter checks it), so every rule can be
tested as plain functions and used alike by the pages, the PDFs, the exports and the CLI.
"""
