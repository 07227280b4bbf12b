"""Small timing helpers: sequential keep-alive HTTP requests on loopback, medians, memory."""

from __future__ import annotations

import http.client
import statistics
import time
from dataclasses import dataclass
from pathlib import Path


class Client:
    """One keep-alive connection to the server under test, like one browser tab."""

    def __init__(self, host: str, port: int, cookie: str = ""):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookie = cookie

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, float, bytes, list]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        seconds = time.perf_counter() - start
        self._take_cookie(response.getheaders())  # like a browser: the session cookie may be renewed
        return response.status, seconds, data, response.getheaders()

    def get(self, path: str) -> tuple[int, float, int]:
        status, seconds, data, _headers = self.request("GET", path)
        return status, seconds, len(data)

    def login(self, email: str, password: str) -> None:
        """Sign in through the login form, as a browser does (CSRF token and all)."""
        import re
        from urllib.parse import urlencode

        _s, _t, page, headers = self.request("GET", "/login")
        self._take_cookie(headers)
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        status, _t, _d, headers = self.request("POST", "/login", urlencode({"email": email, "password": password, "csrf_token": token}))
        if status != 302:
            raise RuntimeError(f"login failed with {status}")
        self._take_cookie(headers)

    def _take_cookie(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]

    def close(self):
        self.conn.close()


def interleaved(clients: dict[str, Client], paths: dict[str, str], rounds: int, per_round: int, deadline: float) -> dict[str, list[float]]:
    """Time each path in turns (each with its own client), so drift hits all of them alike."""
    times = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            for _ in range(per_round):
                status, seconds, _size = clients[name].get(path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                times[name].append(seconds)
        if time.monotonic() > deadline:
            break
    return times


def in_rounds(clients: dict[str, Client], paths: dict[str, str], rounds: int, turns: int, per_turn: int) -> dict[str, "Figure"]:
    """`rounds` separate measurements of every path in one run, for the spread between them.

    Each round is `turns` turns of `per_turn` requests per path, the paths interleaved, so
    a slow moment of the machine hits every path of that round alike."""
    by_round: dict[str, list[list[float]]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, values in interleaved(clients, paths, rounds=turns, per_round=per_turn, deadline=float("inf")).items():
            by_round[name].append(values)
    return {name: Figure(values) for name, values in by_round.items()}


@dataclass
class Figure:
    """One measured figure: all values, and the same values split into the rounds that took them."""

    rounds: list[list[float]]

    @property
    def values(self) -> list[float]:
        return [v for r in self.rounds for v in r]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def round_medians(self) -> list[float]:
        return [statistics.median(r) for r in self.rounds if r]

    @property
    def spread(self) -> float:
        """How far the rounds' medians lie apart, as +-% of the median: two runs that
        measure like two rounds of one run agree within twice this."""
        medians = self.round_medians
        return 100 * (max(medians) - min(medians)) / 2 / self.median if len(medians) > 1 else 0.0

    def ratio_range(self, base: "Figure") -> tuple[float, float, float]:
        """This figure over `base`: overall, and the lowest and highest of the rounds' ratios
        (round i of each was measured at the same time)."""
        ratios = [a / b for a, b in zip(self.round_medians, base.round_medians)]
        return self.median / base.median, min(ratios), max(ratios)


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
