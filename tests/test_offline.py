"""The server's side of working offline: the service worker and manifest, the list of pages a
visit needs offline, statements sent later (once), pages stored for offline use, and the
sign-out that leaves nothing on the device. The browser's side is tests/browser/test_offline.py.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import query
from tests.conftest import submit

JSON = {"Accept": "application/json"}


def test_the_service_worker_is_served_from_the_root_to_anyone(anon):
    response = anon.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "addEventListener(\"fetch\"" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # an update reaches each device at once


def test_the_manifest_names_the_app_and_icons_that_exist(anon):
    anon.set_cookie("lang", "en")
    response = anon.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "Child-friendly reception checklist"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        image = anon.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    anon.set_cookie("lang", "nl")
    assert anon.get("/manifest.webmanifest").get_json()["name"] == "Checklist kindvriendelijke opvang"


def test_every_page_links_the_manifest_and_the_outbox(client):
    page = client.get("/locations/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert page.index("vendor/idb-keyval.js") < page.index("outbox.js") < page.index("app.js")


def test_a_draft_lists_the_pages_it_needs_offline_and_each_opens(app, client):
    visit_id = create_visit(client, create_location(client, type="amv_kleinschalig"))
    body = client.get(f"/visits/{visit_id}/offline").get_json()
    assert body["visit"] == visit_id
    base = f"/visits/{visit_id}"
    assert body["urls"] == [base, f"{base}/domains/play", f"{base}/domains/safety", f"{base}/domains/amv", f"{base}/children", f"{base}/review"]
    for url in body["urls"]:
        assert client.get(url, headers={"X-Checklist-Offline": "1"}).status_code == 200


def test_only_the_domains_that_apply_are_taken(client):
    visit_id = create_visit(client, create_location(client, type="azc"))
    urls = client.get(f"/visits/{visit_id}/offline").get_json()["urls"]
    assert f"/visits/{visit_id}/domains/amv" not in urls  # not at an azc in the small criteria
    assert f"/visits/{visit_id}/domains/play" in urls


def test_the_list_is_scoped_like_the_visit_and_only_for_drafts(app, client):
    visit_id = create_visit(client, create_location(client))
    other = login(app.test_client(), "visitor@b.test")
    assert other.get(f"/visits/{visit_id}/offline").status_code == 404
    monitor = login(app.test_client(), "monitor@m.test")
    assert monitor.get(f"/visits/{visit_id}/offline").status_code in (403, 404)
    assert app.test_client().get(f"/visits/{visit_id}/offline").status_code == 302  # to the login
    submit(client, visit_id)
    response = client.get(f"/visits/{visit_id}/offline")
    assert response.status_code == 409 and response.get_json()["outcome"] == "locked"


def test_a_page_stored_for_offline_use_leaves_the_message_for_the_page_the_user_sees(client):
    from tests.conftest import answer

    visit_id = create_visit(client, create_location(client))
    answer(client, visit_id, "play", value_play__space="meets")  # flashes "Opgeslagen." for the next page
    stored = client.get(f"/visits/{visit_id}", headers={"X-Checklist-Offline": "1"}).get_data(as_text=True)
    assert "flash-success" not in stored
    assert "flash-success" in client.get(f"/visits/{visit_id}").get_data(as_text=True)


def statement(client, visit_id, text="De speeltuin is te klein", key="a1b2c3d4-0000-4000-8000-000000000001", **extra):
    data = {"age_band": "8-12", "domain_id": "play", "text": text, "client_key": key, **extra}
    return client.post(f"/visits/{visit_id}/children", data=data, headers=JSON)


def voices(app, visit_id):
    return [r["text"] for r in query(app, "select text from child_voices where visit_id = ? order by id", [visit_id])]


def test_a_statement_sent_twice_is_stored_once(app, client):
    visit_id = create_visit(client, create_location(client))
    first = statement(client, visit_id)
    assert first.status_code == 200 and first.get_json()["outcome"] == "saved"
    again = statement(client, visit_id)  # the answer to the first send was lost on the way
    assert again.get_json()["outcome"] == "saved"
    assert voices(app, visit_id) == ["De speeltuin is te klein"]
    statement(client, visit_id, text="Een tweede uitspraak", key="a1b2c3d4-0000-4000-8000-000000000002")
    assert voices(app, visit_id) == ["De speeltuin is te klein", "Een tweede uitspraak"]


def test_a_statement_the_server_refuses_is_answered_in_json_and_nothing_is_stored(app, client):
    visit_id = create_visit(client, create_location(client))
    response = statement(client, visit_id, text="   ")
    assert response.status_code == 422
    body = response.get_json()
    assert body["outcome"] == "invalid" and body["errors"]
    assert voices(app, visit_id) == []
    submit(client, visit_id)
    response = statement(client, visit_id)
    assert response.status_code == 409 and response.get_json()["outcome"] == "locked"
    assert voices(app, visit_id) == []


def csrf_draft(tmp_path):
    """An app that checks CSRF tokens, a signed-in visitor and a draft visit (made with the
    check off, as the tests' helpers post without tokens): (app, client, visit id)."""
    from tests.conftest import csrf_app
    from tests.conftest import csrf_login

    app = csrf_app(tmp_path)
    client = csrf_login(app.test_client())
    app.config["WTF_CSRF_ENABLED"] = False
    visit_id = create_visit(client, create_location(client))
    app.config["WTF_CSRF_ENABLED"] = True
    return app, client, visit_id


def test_a_statement_with_an_expired_token_gets_a_fresh_one(tmp_path):
    app, client, visit_id = csrf_draft(tmp_path)
    response = statement(client, visit_id, csrf_token="stale")
    assert response.status_code == 400
    body = response.get_json()
    assert body["outcome"] == "expired" and body["csrf_token"]
    assert statement(client, visit_id, csrf_token=body["csrf_token"]).get_json()["outcome"] == "saved"
    assert voices(app, visit_id) == ["De speeltuin is te klein"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()), sends=st.integers(min_value=1, max_value=3), key=st.uuids())
def test_whatever_is_typed_offline_is_stored_once_as_typed(app, client, text, sends, key):
    """Any statement (any script, markup, bidi controls), sent any number of times with its
    key, is stored exactly once, as the form stores it (trimmed)."""
    visit_id = create_visit(client, create_location(client))
    for _ in range(sends):
        response = statement(client, visit_id, text=text, key=str(key))
        if response.status_code != 200:  # the form's own rules (e.g. a non-character) say no
            assert response.get_json()["outcome"] == "invalid"
            assert voices(app, visit_id) == []
            return
    assert voices(app, visit_id) == [text.strip()]


def test_a_malformed_client_key_is_ignored_not_trusted(app, client):
    visit_id = create_visit(client, create_location(client))
    statement(client, visit_id, key="x")
    statement(client, visit_id, key="x")
    assert voices(app, visit_id) == ["De speeltuin is te klein", "De speeltuin is te klein"]  # no key: as the plain form


def test_signing_out_tells_the_browser_to_clear_what_the_site_stored(client):
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_visit_page_offers_to_take_a_draft_offline_and_marks_a_submitted_visit(client):
    visit_id = create_visit(client, create_location(client))
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert 'id="offline-panel"' in page and f'data-list-url="/visits/{visit_id}/offline"' in page
    assert "data-submitted-visit" not in page
    submit(client, visit_id)
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert 'id="offline-panel"' not in page
    assert f'data-submitted-visit="{visit_id}"' in page


def test_offline_texts_are_in_both_languages(client):
    visit_id = create_visit(client, create_location(client))
    nl = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "Neem dit bezoek mee offline" in nl
    client.set_cookie("lang", "en")
    en = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "Take this visit offline" in en
    line = re.search(r'<p class="sync-line"[^>]*>', client.get(f"/visits/{visit_id}/domains/play").get_data(as_text=True)).group(0)
    assert 'data-waiting="{n} still to send"' in line


def photo_upload(client, visit_id, key="b1b2c3d4-0000-4000-8000-000000000001", content=None, **extra):
    import io

    from PIL import Image

    if content is None:
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (0, 90, 160)).save(out, "JPEG")
        content = out.getvalue()
    data = {"photo": (io.BytesIO(content), "photo.jpg"), "no_person": "1", "client_key": key, **extra}
    return client.post(f"/visits/{visit_id}/criteria/play.space/photos", data=data, headers=JSON, content_type="multipart/form-data")


def test_a_photo_taken_offline_and_sent_twice_is_stored_once(app, client):
    visit_id = create_visit(client, create_location(client))
    first = photo_upload(client, visit_id)
    assert first.status_code == 200
    body = first.get_json()
    assert body["outcome"] == "saved" and body["next"].endswith(f"/visits/{visit_id}/domains/play#photos-play__space")
    assert photo_upload(client, visit_id).get_json()["outcome"] == "saved"
    assert query(app, "select count(*) as n from photos where visit_id = ?", [visit_id])[0]["n"] == 1
    photo_upload(client, visit_id, key="b1b2c3d4-0000-4000-8000-000000000002")
    assert query(app, "select count(*) as n from photos where visit_id = ?", [visit_id])[0]["n"] == 2
    # The photos travel with the pages of a visit taken offline.
    files = client.get(f"/visits/{visit_id}/offline").get_json()["files"]
    assert len(files) == 2 and all(client.get(f).mimetype == "image/jpeg" for f in files)


def test_a_photo_the_server_refuses_is_answered_in_json_with_the_reason(app, client):
    visit_id = create_visit(client, create_location(client))
    response = photo_upload(client, visit_id, content=b"not an image at all")
    assert response.status_code == 422
    body = response.get_json()
    assert body["outcome"] == "refused" and "Kies een JPEG-, PNG- of HEIC-foto" in body["message"]
    assert query(app, "select count(*) as n from photos")[0]["n"] == 0
    submit(client, visit_id)
    response = photo_upload(client, visit_id)
    assert response.status_code == 409 and response.get_json()["outcome"] == "locked"


def test_a_photo_with_an_expired_token_gets_a_fresh_one(tmp_path):
    app, client, visit_id = csrf_draft(tmp_path)
    response = photo_upload(client, visit_id, csrf_token="stale")
    assert response.status_code == 400
    body = response.get_json()
    assert body["outcome"] == "expired"
    assert photo_upload(client, visit_id, csrf_token=body["csrf_token"]).get_json()["outcome"] == "saved"
