"""CSV and XLSX exports of visits and answers with the overview's filters."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports")
