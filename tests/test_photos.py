"""Photos of what was seen (issue 10 §3), through the doors people use: the upload form on
the checklist page, the photo route, the visit page, the PDF, backup and restore."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from PIL import Image

from checklist import create_app
from checklist.core.photos import clean_photo
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.test_calibration import make_pair
from tests.test_calibration import pair_world  # noqa: F401  (fixture)

GPS_LAT = (52.0, 5.0, 12.34)


def jpeg_with_gps(size=(3000, 2000), orientation=None) -> bytes:
    """A camera-like JPEG: GPS position, camera make and serial, a comment, an ICC profile."""
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((250, 200, 0), (0, 0, size[0] // 3, size[1] // 3))  # a yellow corner: where "up" is
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LAT
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 56.78)
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0xA431] = "SERIAL-123456"  # BodySerialNumber
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at Azc Geheim", icc_profile=b"\0" * 200)
    data = out.getvalue()
    # The test image really carries what must go.
    again = Image.open(io.BytesIO(data))
    assert again.getexif().get_ifd(0x8825)[2] and b"SERIAL-123456" in data and b"Azc Geheim" in data
    return data


def png_bytes(size=(400, 300), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def heic_bytes(size=(640, 480)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "HEIF")
    return out.getvalue()


@pytest.fixture
def draft(app, client):
    location = create_location(client, name="Azc Fotoveld")
    return create_visit(client, location)


def upload(client, visit_id, data: bytes, filename="photo.jpg", criterion="play.space", confirm=True, **extra):
    form = {"photo": (io.BytesIO(data), filename)}
    if confirm:
        form["no_person"] = "1"
    form.update(extra)
    return client.post(f"/visits/{visit_id}/criteria/{criterion}/photos", data=form, content_type="multipart/form-data")


def photo_rows(app, visit_id):
    return query(app, "select id, criterion_id, width, height, created_by from photos where visit_id = ? order by id", [visit_id])


def photo_ids(page: str, visit_id: int) -> list[int]:
    return [int(n) for n in re.findall(rf'<img src="/visits/{visit_id}/photos/(\d+)\.jpg"', page)]


def checklist_page(client, visit_id, domain="play") -> str:
    return client.get(f"/visits/{visit_id}/domains/{domain}").get_data(as_text=True)


# -- what comes out ---------------------------------------------------------------------------


def test_a_jpeg_with_gps_comes_back_without_any_metadata_and_at_most_1600_px(app, client, draft):
    response = upload(client, draft, jpeg_with_gps())
    assert response.status_code == 303
    assert response.location.endswith(f"/visits/{draft}/domains/play#photos-play__space")
    page = checklist_page(client, draft)
    assert "Foto toegevoegd." in page
    [photo_id] = photo_ids(page, draft)
    served = client.get(f"/visits/{draft}/photos/{photo_id}.jpg")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store"
    data = served.data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert max(image.size) <= 1600 and image.size == (1600, 1067)
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert "comment" not in image.info and "xmp" not in image.info
    for trace in (b"Exif", b"GPS", b"PhoneMaker", b"SERIAL-123456", b"Azc Geheim", b"ICC_PROFILE", b"http://ns.adobe.com/xap"):
        assert trace not in data
    # The thumbnail keeps the proportions and names the criterion.
    assert re.search(rf'<img src="/visits/{draft}/photos/{photo_id}\.jpg" width="160" height="107" alt="Foto 1 van 1: Er is een speelruimte binnen\."', page)
    [row] = photo_rows(app, draft)
    assert (row["criterion_id"], row["width"], row["height"]) == ("play.space", 1600, 1067)


def test_the_exif_orientation_is_applied(client, draft):
    upload(client, draft, jpeg_with_gps(size=(1200, 800), orientation=6))  # "rotate 90° clockwise to view"
    [photo_id] = photo_ids(checklist_page(client, draft), draft)
    image = Image.open(io.BytesIO(client.get(f"/visits/{draft}/photos/{photo_id}.jpg").data))
    assert image.size == (800, 1200)
    r, g, b = image.convert("RGB").getpixel((image.width - 5, 5))  # the yellow corner is now top right
    assert r > 200 and g > 150 and b < 80


def test_the_size_bound_is_configurable(tmp_path):
    app = create_app(make_config(tmp_path, PHOTO_MAX_PX=500))
    add_users(app)
    client = login(app.test_client())
    visit = create_visit(client, create_location(client))
    upload(client, visit, jpeg_with_gps(size=(1000, 2000)))
    assert [(r["width"], r["height"]) for r in photo_rows(app, visit)] == [(250, 500)]


def test_png_and_heic_are_decoded(app, client, draft):
    assert upload(client, draft, png_bytes(), filename="screen.png").status_code == 303
    assert upload(client, draft, heic_bytes(), filename="IMG_0001.HEIC", criterion="play.outdoor").status_code == 303
    rows = photo_rows(app, draft)
    assert [(r["criterion_id"], r["width"], r["height"]) for r in rows] == [("play.space", 400, 300), ("play.outdoor", 640, 480)]
    for row in rows:
        image = Image.open(io.BytesIO(client.get(f"/visits/{draft}/photos/{row['id']}.jpg").data))
        assert image.format == "JPEG" and image.mode == "RGB"
    heic = Image.open(io.BytesIO(client.get(f"/visits/{draft}/photos/{rows[1]['id']}.jpg").data)).getpixel((10, 10))
    assert heic[0] > 150 and heic[1] < 80  # still red


# -- what is refused ------------------------------------------------------------------------


def test_a_text_file_named_jpg_is_refused_with_a_message_and_nothing_stored(app, client, draft):
    client.set_cookie("lang", "en")
    response = upload(client, draft, b"This is not a photo at all, just some text.\n" * 20, filename="holiday.jpg")
    assert response.status_code == 303
    page = checklist_page(client, draft)
    assert "Nothing was stored: this file could not be read as a photo. Choose a JPEG, PNG or HEIC photo." in page
    assert photo_rows(app, draft) == []
    # Shown once: the next page load is clean.
    assert "could not be read as a photo" not in checklist_page(client, draft)


def test_the_unticked_confirmation_is_refused(app, client, draft):
    response = upload(client, draft, jpeg_with_gps(size=(300, 200)), confirm=False)
    assert response.status_code == 303
    page = checklist_page(client, draft)
    assert "Er is niets bewaard: vink aan dat er geen persoon herkenbaar is op de foto." in page
    assert photo_rows(app, draft) == []


def test_the_form_says_facilities_only_and_offers_the_camera(client, draft):
    page = checklist_page(client, draft)
    assert 'accept="image/*" capture="environment"' in page
    assert "Fotografeer alleen voorzieningen, nooit mensen" in page
    assert "Er is geen persoon herkenbaar op deze foto" in page
    # The upload has its own form, outside the checklist form (nested forms do not exist).
    checklist_form = page[page.index('id="checklist-form"') : page.index("</form>", page.index('id="checklist-form"'))]
    assert 'id="photo-form-play__space"' not in checklist_form
    assert 'form="photo-form-play__space"' in checklist_form
    assert re.search(r'<form id="photo-form-play__space" method="post" enctype="multipart/form-data" action="/visits/\d+/criteria/play\.space/photos"', page)


def test_the_count_per_visit_is_limited(tmp_path):
    app = create_app(make_config(tmp_path, PHOTO_MAX_PER_VISIT=2))
    add_users(app)
    client = login(app.test_client())
    client.set_cookie("lang", "en")
    visit = create_visit(client, create_location(client))
    small = jpeg_with_gps(size=(40, 30))
    upload(client, visit, small)
    upload(client, visit, small, criterion="play.outdoor")
    upload(client, visit, small)
    assert len(photo_rows(app, visit)) == 2
    assert "this visit already has 2 photos, the most it can have" in checklist_page(client, visit)


def test_the_size_per_upload_is_limited_and_only_this_route_takes_more(tmp_path):
    app = create_app(make_config(tmp_path, PHOTO_MAX_BYTES=3 * 1024 * 1024))
    add_users(app)
    client = login(app.test_client())
    client.set_cookie("lang", "en")
    visit = create_visit(client, create_location(client))
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    # 2.5 MB: above the app's limit, below the photo limit: accepted here.
    noisy = Image.effect_noise((1000, 1000), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    big = out.getvalue()
    assert 2 * 1024 * 1024 < len(big) < 3 * 1024 * 1024, len(big)
    assert upload(client, visit, big, filename="big.png").status_code == 303
    assert len(photo_rows(app, visit)) == 1
    # Above the photo limit: refused with the limit in words, nothing stored.
    assert upload(client, visit, big + b"\0" * (1024 * 1024), filename="huge.png").status_code == 303
    assert "The photo is larger than 3 MB." in checklist_page(client, visit)
    assert len(photo_rows(app, visit)) == 1
    # Every other form still stops at MAX_CONTENT_LENGTH.
    response = client.post(f"/visits/{visit}/children", data={"age_band": "8-12", "text": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    from checklist.core.photos import PhotoRefused

    with pytest.raises(PhotoRefused) as refused:
        clean_photo(out.getvalue())
    assert refused.value.reason == "too_many_pixels"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.just(b""), st.sampled_from(["jpeg", "png"]).map(lambda k: JPEG_HEAD if k == "jpeg" else PNG_FULL), st.binary(max_size=2000), st.binary(max_size=300).map(lambda tail: PNG_HEAD + tail), st.binary(max_size=300).map(lambda tail: JPEG_HEAD[:200] + tail)))
def test_any_bytes_are_stored_clean_or_refused_never_a_500(client, draft, data):
    before = len(query(client.application, "select id from photos"))
    response = upload(client, draft, data)
    assert response.status_code == 303
    rows = query(client.application, "select id, jpeg from photos order by id")
    if len(rows) > before:
        stored = rows[-1]["jpeg"]
        image = Image.open(io.BytesIO(stored))
        assert image.format == "JPEG" and not image.getexif() and max(image.size) <= 1600
    else:
        assert len(rows) == before
        assert "Er is niets bewaard" in checklist_page(client, draft)  # and the visitor is told why


PNG_FULL = png_bytes((8, 8), "RGB")
PNG_HEAD = PNG_FULL[:60]
JPEG_HEAD = jpeg_with_gps((16, 16))


# -- who sees them --------------------------------------------------------------------------


def test_another_organisation_gets_404(app, client, draft):
    upload(client, draft, jpeg_with_gps(size=(300, 200)))
    [row] = photo_rows(app, draft)
    other = login(app.test_client(), "visitor@b.test")
    assert other.get(f"/visits/{draft}/photos/{row['id']}.jpg").status_code == 404
    assert upload(other, draft, jpeg_with_gps(size=(300, 200))).status_code == 404
    assert other.post(f"/visits/{draft}/photos/{row['id']}/delete").status_code == 404
    # A photo id under another visit's address is not found either.
    own_other_visit = create_visit(client, create_location(client, name="Azc Elders"))
    assert client.get(f"/visits/{own_other_visit}/photos/{row['id']}.jpg").status_code == 404
    assert len(photo_rows(app, draft)) == 1


def test_a_blinded_visitor_gets_404_for_the_other_visits_photos(app, pair_world):
    w = pair_world
    # B's visit is submitted: reopen it as the coordinator to add a photo, then submit again.
    coordinator = w["coordinator"]
    assert coordinator.post(f"/visits/{w['visit_b']}/reopen", data={"reason": "foto toevoegen"}).status_code == 303
    assert upload(w["b"], w["visit_b"], jpeg_with_gps(size=(300, 200))).status_code == 303
    assert w["b"].post(f"/visits/{w['visit_b']}/submit").status_code == 303
    [row] = photo_rows(app, w["visit_b"])
    url = f"/visits/{w['visit_b']}/photos/{row['id']}.jpg"
    assert w["a"].get(url).status_code == 200  # not paired yet: a colleague's submitted visit
    make_pair(w)
    assert w["a"].get(url).status_code == 404
    assert w["b"].get(url).status_code == 200
    assert coordinator.get(url).status_code == 200


def test_the_visit_page_shows_the_thumbnails_under_their_criterion(app, client, draft):
    upload(client, draft, jpeg_with_gps(size=(300, 600)), criterion="play.outdoor")
    page = client.get(f"/visits/{draft}").get_data(as_text=True)
    [photo_id] = photo_ids(page, draft)
    assert re.search(rf'<h3 class="photo-criterion">Er is een veilige buitenspeelplek\.</h3>\s*<ul class="photo-list">\s*<li><a href="/visits/{draft}/photos/{photo_id}\.jpg"><img src="[^"]+" width="80" height="160" alt="Foto 1 van 1: Er is een veilige buitenspeelplek\."', page)


# -- deleting -------------------------------------------------------------------------------


def test_a_visitor_deletes_a_photo_of_a_draft_but_not_of_a_submitted_visit(app, client, draft):
    upload(client, draft, jpeg_with_gps(size=(300, 200)))
    upload(client, draft, jpeg_with_gps(size=(300, 200)))
    first, second = (r["id"] for r in photo_rows(app, draft))
    page = checklist_page(client, draft)
    assert f'<form id="photo-delete-{first}" method="post" action="/visits/{draft}/photos/{first}/delete" hidden>' in page
    response = client.post(f"/visits/{draft}/photos/{first}/delete")
    assert response.status_code == 303 and response.location.endswith("#photos-play__space")
    assert [r["id"] for r in photo_rows(app, draft)] == [second]
    assert client.get(f"/visits/{draft}/photos/{first}.jpg").status_code == 404
    assert client.post(f"/visits/{draft}/photos/{first}/delete").status_code == 404
    assert client.post(f"/visits/{draft}/submit").status_code == 303
    assert client.post(f"/visits/{draft}/photos/{second}/delete").status_code == 303  # to the visit page, refused
    assert upload(client, draft, jpeg_with_gps(size=(300, 200))).status_code == 303
    assert [r["id"] for r in photo_rows(app, draft)] == [second]
    assert client.get(f"/visits/{draft}/photos/{second}.jpg").status_code == 200
    audit = query(app, "select action from audit_log where entity = 'visit' and entity_id = ? and action like '%photo' order by id", [draft])
    assert [a["action"] for a in audit] == ["add_photo", "add_photo", "delete_photo"]


def test_a_monitor_cannot_upload_or_delete(app, client, draft):
    upload(client, draft, jpeg_with_gps(size=(300, 200)))
    [row] = photo_rows(app, draft)
    monitor = login(app.test_client(), "monitor@m.test")
    assert upload(monitor, draft, jpeg_with_gps(size=(300, 200))).status_code == 404
    assert monitor.post(f"/visits/{draft}/photos/{row['id']}/delete").status_code == 404


# -- reports --------------------------------------------------------------------------------


def pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    from pypdf import PdfReader

    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            out.append(image.image.size)
    return out


def test_the_visit_pdf_has_the_photos_in_an_appendix_under_their_criterion(app, client, draft, tmp_path):
    from tests.conftest import flat
    from tests.conftest import pdftotext

    upload(client, draft, jpeg_with_gps(size=(1200, 900)), criterion="play.outdoor")
    pdf = client.get(f"/visits/{draft}/report.pdf").data
    assert (1200, 900) in pdf_images(pdf)
    text = flat(pdftotext(pdf, tmp_path))
    assert "Bijlage: foto's" in text
    appendix = text[text.index("Bijlage: foto's") :]
    assert "Er is een veilige buitenspeelplek. (play.outdoor)" in appendix
    if shutil.which("pdfimages"):  # poppler's view: one 1200 x 900 JPEG, embedded as it was stored
        (tmp_path / "visit.pdf").write_bytes(pdf)
        listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "visit.pdf")], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert [(r[3], r[4], r[8]) for r in rows if r[2] == "image"] == [("1200", "900", "jpeg")]
    # Without photos there is no such appendix.
    plain = create_visit(client, create_location(client, name="Azc Zonder"))
    assert "Bijlage: foto's" not in flat(pdftotext(client.get(f"/visits/{plain}/report.pdf").data, tmp_path))


def test_the_monitor_report_never_includes_photos(app, client, draft, tmp_path):
    from tests.conftest import flat
    from tests.conftest import pdftotext

    upload(client, draft, jpeg_with_gps(size=(1200, 900)))
    assert client.post(f"/visits/{draft}/submit").status_code == 303
    monitor = login(app.test_client(), "monitor@m.test")
    for anonymise in ("", "&anonymise=1"):
        response = monitor.get(f"/reports/monitor.pdf?from=2026-01-01&to=2026-12-31&closed=all{anonymise}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/pdf"
        assert "Azc Fotoveld" in flat(pdftotext(response.data, tmp_path)) or anonymise
        assert (1200, 900) not in pdf_images(response.data)


# -- backup and restore ------------------------------------------------------------------------


def test_a_backup_and_restore_keep_the_photo(app, client, draft, runner, tmp_path):
    upload(client, draft, jpeg_with_gps(size=(300, 200)))
    [row] = photo_rows(app, draft)
    before = client.get(f"/visits/{draft}/photos/{row['id']}.jpg").data
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    backup_file = next((tmp_path / "backups").glob("checklist-*.sqlite"))
    assert client.post(f"/visits/{draft}/photos/{row['id']}/delete").status_code == 303
    assert photo_rows(app, draft) == []
    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    again = login(app.test_client())  # a restore signs everyone out
    assert again.get(f"/visits/{draft}/photos/{row['id']}.jpg").data == before


def test_a_backup_made_before_photos_existed_is_restored_and_takes_photos(app, client, runner, tmp_path):
    import sqlite3
    from contextlib import closing

    from sqlite_utils import Database

    from checklist.commands.backup import check_database
    from checklist.store.migrations import migrations

    older = tmp_path / "before-m013.sqlite"
    with closing(sqlite3.connect(older)) as conn:
        db = Database(conn, execute_plugins=False)
        migrations.apply(db, stop_before="m013_photos")
        assert not db["photos"].exists()
        conn.commit()
    check_database(older)  # a valid checklist database at its own level
    result = runner.invoke(args=["restore", str(older), "--yes"])
    assert result.exit_code == 0, result.output
    add_users(app)  # the old backup had no accounts
    client = login(app.test_client())
    visit = create_visit(client, create_location(client, name="Azc Na Herstel"))
    assert upload(client, visit, jpeg_with_gps(size=(300, 200))).status_code == 303
    assert len(photo_rows(app, visit)) == 1


def test_with_csrf_on_the_page_token_uploads_and_a_missing_or_bad_one_stores_nothing(tmp_path):
    from tests.conftest import csrf_app
    from tests.conftest import csrf_login
    from tests.conftest import fresh_token

    app = csrf_app(tmp_path)
    client = csrf_login(app.test_client(), "coordinator@a.test")
    client.set_cookie("lang", "en")
    token = fresh_token(client)
    location = client.post("/locations/new", data={"name": "Azc Token", "type": "azc", "csrf_token": token})
    location_id = int(location.location.rstrip("/").split("/")[-1])
    visit = client.post(f"/locations/{location_id}/visits/new", data={"visit_date": "2026-01-15", "visitors": "A.B.", "announced": "1", "csrf_token": token})
    visit_id = int(visit.location.rstrip("/").split("/")[-1])
    page = checklist_page(client, visit_id)
    form_token = re.search(r'<form id="photo-form-play__space"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    for token in ({}, {"csrf_token": "expired-or-garbage"}):
        response = upload(client, visit_id, jpeg_with_gps(size=(300, 200)), **token)
        assert response.status_code == 400
        assert "nothing was changed" in response.get_data(as_text=True)
    assert photo_rows(app, visit_id) == []
    assert upload(client, visit_id, jpeg_with_gps(size=(300, 200)), csrf_token=form_token).status_code == 303
    assert len(photo_rows(app, visit_id)) == 1


# -- hostile and careless uploads (issue 23 §5) -------------------------------------------------


def test_a_full_visit_refuses_before_anything_is_decoded(tmp_path, monkeypatch):
    """The per-visit cap and a photo sent twice are answered before Pillow sees the bytes."""
    import checklist.views.photos

    app = create_app(make_config(tmp_path, PHOTO_MAX_PER_VISIT=1))
    add_users(app)
    client = login(app.test_client(), lang="en")
    visit = create_visit(client, create_location(client))
    small = jpeg_with_gps(size=(40, 30))
    key = "6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b"  # a device's random UUID
    assert upload(client, visit, small, client_key=key).status_code == 303
    decoded = []
    real = checklist.views.photos.clean_photo
    monkeypatch.setattr(checklist.views.photos, "clean_photo", lambda *a, **k: decoded.append(1) or real(*a, **k))
    upload(client, visit, small, criterion="play.outdoor")
    assert "this visit already has 1 photos, the most it can have" in checklist_page(client, visit)
    again = client.post(
        f"/visits/{visit}/criteria/play.space/photos",
        data={"photo": (io.BytesIO(small), "photo.jpg"), "no_person": "1", "client_key": key},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 200 and again.get_json()["outcome"] == "saved"
    assert decoded == [] and len(photo_rows(app, visit)) == 1


def test_photo_uploads_have_a_rate_per_person_and_a_device_is_told_to_wait(tmp_path):
    app = create_app(make_config(tmp_path, PHOTO_RATE="2 per minute"))
    add_users(app)
    client = login(app.test_client(), lang="en")
    visit = create_visit(client, create_location(client))
    small = jpeg_with_gps(size=(40, 30))
    assert [upload(client, visit, small).status_code for _ in range(2)] == [303, 303]
    refused = upload(client, visit, small)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "You sent 2 photos within a minute, the most one person can" in refused.get_data(as_text=True)
    assert len(photo_rows(app, visit)) == 2
    # Another person is not held up by it.
    colleague = login(app.test_client(), "coordinator@a.test")
    assert upload(colleague, visit, small).status_code == 303


def test_a_16_bit_greyscale_png_keeps_its_tones(app, client, draft):
    """Pillow's own conversion clips 16-bit values above 255, so such a photo came out white."""
    gradient = Image.new("I;16", (256, 32))
    gradient.putdata([x * 256 for _y in range(32) for x in range(256)])
    out = io.BytesIO()
    gradient.save(out, "PNG")
    assert Image.open(io.BytesIO(out.getvalue())).mode.startswith("I")
    assert upload(client, draft, out.getvalue(), filename="scan.png").status_code == 303
    (row,) = photo_rows(app, draft)
    stored = Image.open(io.BytesIO(client.get(f"/visits/{draft}/photos/{row['id']}.jpg").data)).convert("L")
    tones = [stored.getpixel((x, 16)) for x in (8, 64, 128, 192, 248)]
    assert all(abs(t - x) <= 12 for t, x in zip(tones, (8, 64, 128, 192, 248))), tones
