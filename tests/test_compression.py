"""Compressed responses (issue 17 §7), as a browser asks for them: a page, a script and a
CSV export come compressed when the browser accepts it and read back the same; a page kept
on a device answers 304 on its compressed ETag; PDFs are left as they are."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login


@pytest.fixture
def visit(app, client):
    return create_visit(client, create_location(client, name="Azc Klein Pakket"))


def page_bytes(client, url, encoding: str | None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    return client.get(url, headers=headers)


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress), ("br", brotli.decompress), ("gzip, deflate, br", brotli.decompress)])
def test_a_domain_page_comes_compressed_and_reads_back_the_same(client, visit, encoding, decode):
    url = f"/visits/{visit}/domains/play"
    plain = page_bytes(client, url, None)
    assert "Content-Encoding" not in plain.headers
    packed = page_bytes(client, url, encoding)
    assert packed.headers["Content-Encoding"] == encoding.split(", ")[-1]
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = decode(packed.data)
    # The same page, up to the CSRF token each response carries.
    assert html.split(b'name="csrf_token"')[0] == plain.data.split(b'name="csrf_token"')[0]
    assert len(packed.data) * 4 < len(html), (len(packed.data), len(html))


def test_static_scripts_and_a_streamed_csv_come_compressed(app):
    coordinator = login(app.test_client(), "coordinator@a.test")
    page = coordinator.get("/locations/").get_data(as_text=True)
    script = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/static/v/"))
    # Chromium on plain http asks for gzip and deflate; a streamed file comes as deflate.
    response = coordinator.get(script, headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "deflate" and "immutable" in response.headers["Cache-Control"]
    assert zlib.decompress(response.data) == coordinator.get(script).data
    export = coordinator.get("/exports/visits.csv", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert export.headers["Content-Encoding"] == "br"
    assert brotli.decompress(export.data) == coordinator.get("/exports/visits.csv").data


def test_a_page_kept_on_a_device_answers_304_on_its_compressed_etag(client, visit):
    url = f"/visits/{visit}/domains/play"
    headers = {"X-Checklist-Offline": "1", "Accept-Encoding": "gzip"}
    first = client.get(url, headers=headers)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    assert b"stored-on-device" in gzip.decompress(first.data)
    again = client.get(url, headers=dict(headers, **{"If-None-Match": first.headers["ETag"]}))
    assert again.status_code == 304 and again.data == b""


def test_a_pdf_is_sent_as_it_is(client, visit):
    response = client.get(f"/visits/{visit}/report.pdf", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.data.startswith(b"%PDF")
