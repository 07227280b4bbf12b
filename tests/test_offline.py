"""The server's side of working offline: the service worker and manifest, the list of pages a
visit needs offline, statements sent later (once), pages stored for offline use, and the
sign-out that leaves nothing on the device. The browser's side is tests/browser/test_offline.py.
"""

from __future__ import annotations

import hashlib
import html
import json
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
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # an update reaches each device at once
    module = re.search(r'import \{ start \} from "([^"]+)"', body).group(1)
    config = json.loads(re.search(r"start\((.*)\);", body).group(1))
    worker = anon.get(module)
    assert worker.status_code == 200 and 'addEventListener("fetch"' in worker.get_data(as_text=True)
    assert "immutable" in worker.headers["Cache-Control"]  # a versioned file never changes
    for url in config["assets"] + list(config["shells"].values()):  # everything it keeps exists
        assert anon.get(url).status_code == 200, url


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


def test_every_page_links_the_manifest_and_its_versioned_script(client):
    page = client.get("/locations/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    script = re.search(r'<script type="module" src="(/static/v/[0-9a-f]+/js/page.js)">', page).group(1)
    assert client.get(script).status_code == 200


def test_a_file_of_another_version_is_served_uncached(anon):
    response = anon.get("/static/v/000000000000/style.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"


def test_the_page_says_who_is_signed_in_by_a_stable_id(app, client):
    page = client.get("/locations/").get_data(as_text=True)
    context = json.loads(html.unescape(re.search(r'<meta name="checklist-context" content="([^"]+)">', page).group(1)))
    assert context["page"] == "app" and isinstance(context["user"]["id"], int)
    assert len(context["user"]["lookup"]) == 64  # SHA-256 of the email: the sign-in form finds the vault with it
    with app.app_context():
        from checklist.views.database import get_db

        email = get_db().execute("select email from users where id = ?", [context["user"]["id"]]).fetchone()[0]
    assert hashlib.sha256(email.encode()).hexdigest() == context["user"]["lookup"]


def test_the_app_shell_names_nobody_even_when_fetched_signed_in(client):
    for lang, title in (("nl", "Op dit apparaat"), ("en", "On this device")):
        page = client.get(f"/offline/shell?lang={lang}").get_data(as_text=True)
        assert title in page and 'id="shell-unlock"' in page
        context = json.loads(html.unescape(re.search(r'<meta name="checklist-context" content="([^"]+)">', page).group(1)))
        assert context["user"] is None and context["page"] == "shell"
        assert "csrf" not in page.lower()


def test_the_device_key_is_the_users_own_and_differs_per_vault(app, client):
    first = client.get("/device/key?vault=abcdefghijkl")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert client.get("/device/key?vault=abcdefghijkl").get_json() == first.get_json()  # derived, stable
    assert client.get("/device/key?vault=abcdefghijkm").get_json() != first.get_json()
    assert client.get("/device/key?vault=../x").status_code == 404
    colleague = login(app.test_client(), "coordinator@a.test")  # the same organisation, another user
    assert colleague.get("/device/key?vault=abcdefghijkl").get_json() != first.get_json()
    assert app.test_client().get("/device/key?vault=abcdefghijkl").status_code == 302  # signed out: none


def test_a_save_from_the_device_of_another_user_is_refused_and_writes_nothing(app, client):
    visit_id = create_visit(client, create_location(client))
    colleague = login(app.test_client(), "coordinator@a.test")
    me = json.loads(html.unescape(re.search(r'<meta name="checklist-context" content="([^"]+)">', client.get("/locations/").get_data(as_text=True)).group(1)))["user"]["id"]
    data = {"value_play__space": "meets", "note_play__space": "A's note"}
    response = colleague.post(f"/visits/{visit_id}/domains/play/answers", data=data, headers={**JSON, "X-Checklist-Owner": str(me)})
    assert response.status_code == 403
    body = response.get_json()
    assert body["outcome"] == "not_owner" and "andere gebruiker" in body["message"]
    assert query(app, "select count(*) from answers where visit_id = ?", [visit_id])[0]["count(*)"] == 0
    # The owner itself is let through, with the same header.
    response = client.post(f"/visits/{visit_id}/domains/play/answers", data=data, headers={**JSON, "X-Checklist-Owner": str(me)})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert query(app, "select count(*) from answers where visit_id = ?", [visit_id])[0]["count(*)"] == 1


def test_the_visit_state_counts_by_the_servers_rules(client):
    visit_id = create_visit(client, create_location(client))
    client.post(f"/visits/{visit_id}/domains/play", data={"value_play__space": "meets", "value_play__outdoor": "na"})
    state = client.get(f"/visits/{visit_id}/state").get_json()
    play = next(d for d in state["domains"] if d["id"] == "play")
    categories = dict(play["criteria"])
    assert categories["play__space"] == "scored" and categories["play__outdoor"] == "na"
    assert all(c is None for k, c in categories.items() if k not in ("play__space", "play__outdoor"))
    assert state["continue"] == "play" and state["wire"] == {"value": "value", "number": "number"}
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    embedded = json.loads(re.search(r'<script type="application/json" id="visit-state">(.*?)</script>', page, re.S).group(1))
    assert embedded == state


def test_a_page_kept_on_the_device_carries_no_session_token_and_answers_304_when_unchanged(client):
    visit_id = create_visit(client, create_location(client))
    url = f"/visits/{visit_id}/domains/play"
    first = client.get(url, headers={"X-Checklist-Offline": "1"})
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get(url).get_data(as_text=True)).group(1)
    assert token not in first.get_data(as_text=True) and "stored-on-device" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"X-Checklist-Offline": "1", "If-None-Match": etag})
    assert again.status_code == 304
    client.post(url, data={"value_play__space": "meets"})
    changed = client.get(url, headers={"X-Checklist-Offline": "1", "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


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
    # The browser's cache goes; its storage stays: what another user left waiting there is
    # theirs, encrypted, and must never be deleted by someone else's sign-out.
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert "checklist-unlock=;" in response.headers.get("Set-Cookie", "")


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
