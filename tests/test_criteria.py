"""Loading criteria: the shipped file is valid; every kind of mistake names file, line and field."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from checklist import create_app
from checklist.core.criteria import CriteriaError
from checklist.core.criteria import load_criteria
from checklist.core.criteria import parse_criteria
from tests.conftest import ROOT
from tests.conftest import SMALL_CRITERIA
from tests.conftest import make_config

GOOD = SMALL_CRITERIA.read_text(encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing needle."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def test_shipped_criteria_file_is_valid_and_complete():
    criteria = load_criteria(ROOT / "criteria.yaml")
    ids = [c.id for d in criteria.domains for c in d.criteria]
    assert 60 <= len(ids) <= 120
    assert len(ids) == len(set(ids))
    domain_ids = {d.id for d in criteria.domains}
    assert {"play", "education", "privacy", "sanitation", "psychosocial", "safety", "housing", "stability", "health", "information", "participation", "parents", "amv"} <= domain_ids
    assert criteria.domain("amv").applies_to == "all" and criteria.domain("amv").applies_when == "amv_present"
    kinds = {c.kind for d in criteria.domains for c in d.criteria}
    assert kinds == {"rating", "yesno", "count"}
    assert any(c.critical for d in criteria.domains for c in d.criteria)
    assert all(c.anchors.crc for d in criteria.domains for c in d.criteria)
    assert "not available" in criteria.spec.derived_from.en


def test_amv_domain_only_for_amv_locations_in_2026_1():
    criteria = load_criteria(ROOT / "checklist" / "criteria_archive" / "2026.1.yaml")
    assert "amv" in [d.id for d in criteria.domains_for("amv_kleinschalig")]
    assert "amv" not in [d.id for d in criteria.domains_for("azc")]


def test_amv_domain_for_every_location_type_from_2026_2():
    criteria = load_criteria(ROOT / "criteria.yaml")
    for type_id in ("azc", "noodopvang", "crisisnoodopvang", "gezinslocatie", "amv_kleinschalig"):
        assert "amv" in [d.id for d in criteria.domains_for(type_id)]


BROKEN = [
    # (description, replace this, with this, field in the message, words in the message, text on the line at fault)
    ("duplicate id", "id: play.outdoor", "id: play.space", "domains[0].criteria[1].id", "duplicate criterion id 'play.space'", ("id: play.space", 2)),
    ("unknown key", "        weight: 2\n", "        weight: 2\n        colour: red\n", "domains[0].criteria[0].colour", "unknown key", ("colour: red", 1)),
    ("missing translation", 'en: "Escape routes are clear."', 'fr: "Escape routes are clear."', "domains[1].criteria[0].text.en", "translation", ("Vluchtwegen zijn vrij.", 1)),
    ("bad kind", "kind: yesno\n        weight: 1\n        critical: true", "kind: maybe\n        weight: 1\n        critical: true", "domains[1].criteria[0].kind", "rating", ("kind: maybe", 1)),
    ("band gap", "{from: 2, to: 3, answer: partly}", "{from: 2.5, to: 3, answer: partly}", "domains[1].criteria[1].bands[1].from", "gap", ("from: 2.5", 1)),
    ("weight not positive", "        weight: 2\n", "        weight: 0\n", "domains[0].criteria[0].weight", "greater than 0", ("weight: 0", 1)),
    ("unknown location type", "applies_to: [amv_kleinschalig]", "applies_to: [amv_small]", "domains[2].applies_to[0]", "unknown location type", ("amv_small", 1)),
]


@pytest.mark.parametrize("description, old, new, field, words, at", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_file_line_and_field(description, old, new, field, words, at):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(text, "criteria.yaml")
    message = str(caught.value)
    assert words in message
    assert f"criteria.yaml:{line_of(text, *at)}: {field}" in message


def test_yaml_syntax_error_and_duplicate_key_have_lines():
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(GOOD.replace('version: "test.1"', 'version: "test.1\nfoo: [', 1), "x.yaml")
    assert "x.yaml:" in str(caught.value) and "not valid YAML" in str(caught.value)
    doubled = GOOD.replace("        weight: 2\n", "        weight: 2\n        weight: 3\n", 1)
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doubled, "x.yaml")
    assert f"x.yaml:{line_of(doubled, 'weight: 3')}: domains[0].criteria[0].weight: key appears twice" in str(caught.value)


def test_count_band_must_cover_the_range():
    text = GOOD.replace("{from: 3, answer: fails}", "{from: 3, to: 10, answer: fails}")
    with pytest.raises(CriteriaError, match="fall in no band"):
        parse_criteria(text)


def test_bad_file_stops_create_app(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("        weight: 2\n", "        weight: -1\n", 1), encoding="utf-8")
    with pytest.raises(CriteriaError, match=r"bad.yaml:\d+: domains\[0\].criteria\[0\].weight"):
        create_app(make_config(tmp_path, CRITERIA_PATH=str(bad)))


def test_bad_file_stops_gunicorn_entry_point(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("kind: rating", "kind: stars", 1), encoding="utf-8")
    env = dict(os.environ, CHECKLIST_CRITERIA_PATH=str(bad), CHECKLIST_DATABASE=str(tmp_path / "db.sqlite"), CHECKLIST_SECRET_KEY="x" * 32)
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{bad}:{line_of(GOOD, 'kind: rating')}: domains[0].criteria[0].kind" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_criteria_cli(runner, tmp_path):
    ok = runner.invoke(args=["check-criteria", str(ROOT / "criteria.yaml")])
    assert ok.exit_code == 0
    assert "domains" in ok.output and "criteria" in ok.output and "version" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("id: play.outdoor", "id: play.space"), encoding="utf-8")
    result = runner.invoke(args=["check-criteria", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:{line_of(GOOD, 'id: play.outdoor')}: domains[0].criteria[1].id: duplicate criterion id 'play.space'" in result.output


def test_flask_cli_with_a_bad_configured_file(tmp_path):
    """`flask check-criteria` still reports a broken configured file; other commands refuse to start."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("        weight: 2\n", "        weight: 0\n", 1), encoding="utf-8")
    env = dict(os.environ, CHECKLIST_CRITERIA_PATH=str(bad), CHECKLIST_DATABASE=str(tmp_path / "db.sqlite"), CHECKLIST_SECRET_KEY="x" * 32)
    flask = [sys.executable, "-m", "flask", "--app", "checklist"]
    check = subprocess.run([*flask, "check-criteria"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 1
    assert "domains[0].criteria[0].weight" in check.stderr
    init = subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert init.returncode == 1
    assert "domains[0].criteria[0].weight" in init.stderr and "Traceback" not in init.stderr
