"""ReportLab is set up by one explicit call (`create_app` makes it), never by an import.

Checked in a fresh interpreter: the test process has long been set up by other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

SCRIPT = """
import importlib, json, pkgutil, sys
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.platypus import paragraph

def state():
    return {
        "fonts": sorted(n for n in pdfmetrics.getRegisteredFontNames() if n.startswith(("DejaVu", "Noto"))),
        "cmap": ttfonts.makeToUnicodeCMap.__module__,
        "shape": paragraph.shapeFragWord.__module__,
        "trusted_schemes": rl_config.trustedSchemes,
    }

before = state()
import checklist.reports
modules = [m.name for m in pkgutil.walk_packages(checklist.reports.__path__, "checklist.reports.")]
for name in modules:
    importlib.import_module(name)
import checklist.views.exports  # the blueprint and everything it imports
after_import = state()

from checklist import create_app
create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "DATABASE": sys.argv[1], "SESSION_COOKIE_SECURE": False})
after_app = state()
print(json.dumps({"modules": modules, "before": before, "after_import": after_import, "after_app": after_app}))
"""


def test_importing_the_reports_changes_nothing_and_create_app_sets_reportlab_up(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "setup.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "checklist.reports.monitor_report" in result["modules"] and "checklist.reports.fonts" in result["modules"]
    assert result["after_import"] == result["before"]
    assert result["before"]["fonts"] == []
    assert result["before"]["cmap"].startswith("reportlab.") and result["before"]["shape"].startswith("reportlab.")
    after = result["after_app"]
    assert {"DejaVuSans", "DejaVuSans-Bold", "NotoNaskhArabic", "NotoSansEthiopic"} <= set(after["fonts"])
    assert after["cmap"] == after["shape"] == "checklist.reports.fonts"
    assert after["trusted_schemes"] == []


def test_setup_reportlab_is_idempotent():
    from reportlab.platypus import paragraph

    from checklist.reports.fonts import setup_reportlab

    setup_reportlab()
    patched = paragraph.shapeFragWord
    setup_reportlab()
    assert paragraph.shapeFragWord is patched
