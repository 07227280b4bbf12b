"""Start the app under gunicorn on a free 127.0.0.1 port for a benchmark, and stop it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.measure import Client

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(db_path: Path, workers: int = 2, log_path: Path | None = None, **settings):
    """Yield (port, process); the server log goes to `log_path` so errors can be counted."""
    port = free_port()
    env = dict(os.environ, CHECKLIST_DATABASE=str(db_path), CHECKLIST_SECRET_KEY="bench-secret-key-0123456789", CHECKLIST_SESSION_COOKIE_SECURE="false", CHECKLIST_TOTP_REQUIRED_ROLES="[]")
    env.update({f"CHECKLIST_{k}": str(v) for k, v in settings.items()})
    log = open(log_path, "w") if log_path else None
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60", "bench.server:app"],
        cwd=ROOT, env=env, stderr=log or None,
    )
    try:
        for _ in range(200):
            try:
                Client("127.0.0.1", port).get("/health")
                break
            except OSError:
                time.sleep(0.05)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=20)
        if log:
            log.close()
