"""The app as `make run` serves it: gunicorn with `gunicorn.conf.py` (issue 17 §10). Clients
that connect and send nothing must not stop the app for others. Bounded: every socket has a
timeout, and the server is stopped at the end whatever happened."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_mail import free_port

IDLE = 60  # more idle connections than the two workers have threads (2 x 8)


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, float]:
    """Status and seconds of one request on a connection of its own."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), time.monotonic() - start


@pytest.fixture
def served(tmp_path: Path):
    from checklist import create_app

    port = free_port()
    env = dict(
        os.environ,
        CHECKLIST_DATABASE=str(tmp_path / "served.sqlite"),
        CHECKLIST_SECRET_KEY="serving-secret-key-0123456789",
        CHECKLIST_SESSION_COOKIE_SECURE="false",
    )
    # The database made first, as `make run` does with `init-db`: two workers starting on no
    # database would both migrate it.
    create_app({"DATABASE": env["CHECKLIST_DATABASE"], "SECRET_KEY": env["CHECKLIST_SECRET_KEY"], "TESTING": True})
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode() if server.poll() is not None else "no answer"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_config_serves_threaded_workers():
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["worker_class"] == "gthread" and namespace["workers"] * namespace["threads"] < IDLE
    import gunicorn.workers.gthread

    assert gunicorn.workers.gthread.DEFAULT_WORKER_DATA_TIMEOUT == namespace["DATA_WAIT_SECONDS"]


def test_connections_that_send_nothing_do_not_stop_the_app_for_others(served):
    port = served
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(IDLE)]
    try:
        time.sleep(0.5)  # every thread has an idle connection to wait on, if it would
        answers = [get(port, path) for path in ("/login", "/health", "/login")]
        assert [status for status, _seconds in answers] == [200, 200, 200]
        # The idle connections are still open: nobody closed them to make room.
        for conn in idle[:5]:
            conn.setblocking(False)
            with pytest.raises(BlockingIOError):
                conn.recv(1)
    finally:
        for conn in idle:
            conn.close()
