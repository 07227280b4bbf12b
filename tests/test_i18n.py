"""Dutch first, English too: the UI, the criteria texts and the language switch."""

from __future__ import annotations

from tests.conftest import coordinator_of
from tests.conftest import create_location
from tests.conftest import create_visit


def test_dutch_by_default(app):
    client = coordinator_of(app.test_client())  # who sees "New location"
    text = client.get("/locations/").get_data(as_text=True)
    assert '<html lang="nl">' in text
    assert "Locaties" in text and "Nieuwe locatie" in text


def test_switch_to_english_and_back(app):
    client = coordinator_of(app.test_client())
    response = client.post("/language", data={"lang": "en", "next": "/locations/?type=azc"})
    assert response.status_code == 302 and response.location == "/locations/?type=azc"
    text = client.get("/locations/").get_data(as_text=True)
    assert '<html lang="en">' in text and "New location" in text
    client.post("/language", data={"lang": "nl", "next": "/locations/"})
    assert "Nieuwe locatie" in client.get("/locations/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        response = client.post("/language", data={"lang": "en", "next": target})
        assert response.status_code == 302
        assert response.location == "/", target


def test_criteria_texts_follow_the_language(client):
    visit_id = create_visit(client, create_location(client))
    dutch = client.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)
    assert "Er is een speelruimte binnen." in dutch and "Voldoet niet" in dutch and "Spelen" in dutch
    client.set_cookie("lang", "en")
    english = client.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)
    assert "There is an indoor play space." in english and "Does not meet" in english
    assert "Er is een speelruimte binnen." not in english


def test_validation_messages_in_dutch(client):
    response = client.post(f"/locations/{create_location(client)}/visits/new", data={"visit_date": "2999-01-01", "organisation_id": "1", "visitors": "A"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "A visit cannot take place in the future." not in text
    assert "toekomst" in text


def test_every_message_has_a_dutch_translation():
    from babel.messages.pofile import read_po

    from tests.conftest import ROOT

    with open(ROOT / "checklist/translations/nl/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []


def test_every_ui_string_is_in_the_catalog():
    """A string added to code or a template without `make i18n-update` fails here."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    from tests.conftest import ROOT

    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0] for msg in extract_from_dir(str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "_l": None, "N_": None, "lazy_gettext": None, "ngettext": (1, 2)})}
    with open(ROOT / "checklist/translations/nl/LC_MESSAGES/messages.po", "rb") as f:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert sorted(found - catalog) == []
