"""Small timing helpers: sequential keep-alive HTTP requests on loopback, medians, memory."""

from __future__ import annotations

import http.client
import statistics
import time
from pathlib import Path


class Client:
    """One keep-alive connection to the server under test, like one browser tab."""

    def __init__(self, host: str, port: int, cookie: str = ""):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookie = cookie

    def get(self, path: str) -> tuple[int, float, int]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        start = time.perf_counter()
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - start, len(body)

    def close(self):
        self.conn.close()


def interleaved(client: Client, paths: dict[str, str], rounds: int, per_round: int, deadline: float) -> dict[str, list[float]]:
    """Time each path in turns, so drift on a shared machine hits all of them alike."""
    times = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            for _ in range(per_round):
                status, seconds, _size = client.get(path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                times[name].append(seconds)
        if time.monotonic() > deadline:
            break
    return times


def median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values)


def p95_ms(values: list[float]) -> float:
    ordered = sorted(values)
    return 1000 * ordered[int(0.95 * (len(ordered) - 1))]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_of(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(p) for p in text]
    return out
