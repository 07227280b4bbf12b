"""Compressed responses (issue 17 §7): a domain page of 70-100 KB of HTML is 8-12 KB with
gzip and less with Brotli, which on a slow phone line is most of the time a page takes.

Flask-Compress does it in the app, so `make run`, the tests and any deployment (with or
without a proxy in front) send the same bytes. It is registered before everything else, so
its after-request hook runs last: the page a device keeps (`device.stored_copy_response`,
with its placeholder token and ETag) is compressed as it is, and Flask-Compress answers a
conditional request on the compressed ETag with 304. PDFs and photos are compressed already
and are left as they are.
"""

from __future__ import annotations

from flask_compress import Compress

MIMETYPES = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])  # the first the browser accepts
    # A streamed response (a static file, a CSV export) is compressed as it goes, which
    # Flask-Compress does not do with gzip; Chromium on plain http asks for gzip and deflate.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # Brotli's default of 11 costs tens of ms per page
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_STREAMS", True)  # a CSV export is streamed, compressed as it goes
    # A static file asked again with its ETag answers 304, compressed or not.
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["static", "assets.versioned"])
    Compress(app)
