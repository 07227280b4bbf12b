"""Mail through a real SMTP server started here (aiosmtpd on 127.0.0.1): an escalation reaches
the operator and the coordinator, bilingual; a server that is down loses nothing and never
holds up a submit; with no SMTP host the mails are files in MAIL_FOLDER."""

from __future__ import annotations

import email
import email.policy
import socket
import time

import pytest

from checklist import create_app
from tests.conftest import TESTS
from tests.conftest import add_users
from tests.conftest import answer
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import invite_operator
from tests.conftest import login
from tests.conftest import make_config
from tests.conftest import query
from tests.conftest import submit


class Inbox:
    """An aiosmtpd handler that keeps what arrived."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port; yields (port, inbox, controller)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox, controller
    controller.stop()


def mail_app(tmp_path, port, **extra):
    config = make_config(
        tmp_path, CRITERIA_PATH=str(TESTS / "criteria_red.yaml"), MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port, MAIL_SMTP_TLS="none",
        MAIL_FROM="checklist@coalitie.example", MAIL_SMTP_TIMEOUT=2, **extra,
    )
    app = create_app(config)
    add_users(app)
    return app


def red_visit(app) -> int:
    """A location with an operator and a submitted visit where fire safety failed."""
    location = create_location(app.test_client(), name="Azc Brandweg")
    invite_operator(app, [location])
    visitor = login(app.test_client())
    visit = create_visit(visitor, location)
    answer(visitor, visit, "safety", value_safety__fire="no", note_safety__fire="Nooduitgang geblokkeerd")
    submit(visitor, visit)
    return visit


def send_mail(app) -> str:
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_escalation_reaches_the_operator_and_the_coordinator_through_smtp(tmp_path, smtp):
    port, inbox, _ = smtp
    app = mail_app(tmp_path, port)
    red_visit(app)
    assert "2 sent" in send_mail(app)
    assert sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts) == ["coordinator@a.test", "olga@coa.example"]
    _, message = inbox.messages[0]
    assert message["From"] == "checklist@coalitie.example" and message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "Levensveiligheid: handel binnen de termijn op Azc Brandweg / Life safety: act within the deadline at Azc Brandweg"
    body = message.get_content()
    assert "Vluchtwegen zijn vrij." in body and "Escape routes are clear." in body  # the criterion, in both languages
    assert "Nooduitgang geblokkeerd" not in body  # no note travels by mail
    assert "http://localhost/operator/" in body or "http://localhost/follow-up/" in body
    # Sent once: a second run sends nothing.
    assert "0 sent" in send_mail(app)
    assert len(inbox.messages) == 2


def test_a_mail_server_that_is_down_loses_nothing_and_never_holds_up_a_submit(tmp_path):
    from aiosmtpd.controller import Controller

    port = free_port()  # nothing listens there: the server is down
    app = mail_app(tmp_path, port, MAIL_SEND_AFTER_REQUEST=True)
    started = time.monotonic()
    red_visit(app)  # submits (and tries the outbox after the response)
    assert time.monotonic() - started < 10
    assert query(app, "select status from visits") == [{"status": "submitted"}]
    output = send_mail(app)
    assert "0 sent" in output and "2 waiting" in output
    rows = query(app, "select attempts, sent_at, last_error from mail_outbox")
    assert all(r["sent_at"] is None and r["attempts"] >= 1 and r["last_error"] for r in rows)
    # Back up, and the retry's time has come (it waits 1, 2, 4, ... minutes): both arrive.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    db.execute("update mail_outbox set next_attempt_at = '2000-01-01T00:00:00+00:00'")
    db.conn.close()
    try:
        assert "2 sent" in send_mail(app)
        assert len(inbox.messages) == 2
    finally:
        controller.stop()


def test_the_response_that_queued_mail_sends_it_right_after(tmp_path, smtp):
    port, inbox, _ = smtp
    app = mail_app(tmp_path, port, MAIL_SEND_AFTER_REQUEST=True)
    location = create_location(app.test_client(), name="Azc Direct")
    invite_operator(app, [location])
    visitor = login(app.test_client())
    visit = create_visit(visitor, location)
    answer(visitor, visit, "safety", value_safety__fire="no")
    response = visitor.post(f"/visits/{visit}/submit")
    response.close()  # what a server does after the last byte: the outbox is tried then
    deadline = time.monotonic() + 5
    while len(inbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) == 2


def test_without_smtp_the_mails_are_files_in_the_mail_folder(tmp_path):
    app = create_app(make_config(tmp_path, CRITERIA_PATH=str(TESTS / "criteria_red.yaml")))
    add_users(app)
    red_visit(app)
    assert "2 sent to" in send_mail(app)
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] in ("olga@coa.example", "coordinator@a.test") and "Life safety" in message["Subject"]
