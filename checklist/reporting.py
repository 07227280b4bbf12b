"""The aggregate (monitor) report: `/reports/monitor.pdf` with the overview's filters."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reporting", __name__, url_prefix="/reports")
