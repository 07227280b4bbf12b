"""Saving checklist answers with several people on one draft: no acknowledged answer is lost.

Everything goes through the HTML pages as a browser uses them (tests/browserform.py): the
test parses the page the server sent, changes only the fields a person edits and posts the
whole form back, hidden fields included, without knowing what those hidden fields are. So
these tests hold for any save protocol, today's fingerprints or a future one.

The rule they check: an answer that was acknowledged (stored) may only be changed by
someone who changed that criterion on their page AND had seen the stored version they
replace, either on a page loaded after it was stored, or on the conflict page that shows
both versions. A criterion whose posted value equals what the visitor started from is not
a change and is never written. A valid change that nobody else touched is stored when the
server says so (303), also next to an invalid field (422).

1. Two stories, replayed step by step: the lost update from the issue tracker, through the
   conflict page (409) and through the validation error page (422).
2. A model-based test (Hypothesis, RuleBasedStateMachine, class SaveModel): three people of
   one organisation (A, B visitors; C coordinator) work on the safety page of one draft:
   load (open/reload), save (edit 0-2 criteria, press save: with no edits this is "save again
   from the page as it is", also from a conflict, error or expired-token page),
   save_with_expired_token, and submit_or_reopen, in random order. After every save the
   database is compared with the model (see SaveModel._save), and after every step it must
   hold exactly the acknowledged answers. Deterministic (derandomize=True).
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import note
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import rule
from jinja2 import BytecodeCache

from checklist import create_app
from checklist.store.connection import connect
from tests.browserform import Form
from tests.browserform import find_form
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import create_location
from tests.conftest import create_visit
from tests.conftest import login
from tests.conftest import make_config

# Three people of organisation 1 (De Vrolijkheid); the second visitor is added here.
PEOPLE = {"A": "visitor@a.test", "B": "visitor2@a.test", "C": "coordinator@a.test"}
FORM_ID = "checklist-form"
LEFT_OUT = ("na", "unknown")  # answers that carry no number


# -- a browser ------------------------------------------------------------------------------


class Browser:
    """One person's browser tab: a signed-in test client and the page it shows."""

    def __init__(self, app, email: str, session_cookie: str | None = None):
        self.client = app.test_client()
        self.client.set_cookie("lang", "en")
        self.url: str | None = None
        self.form: Form | None = None  # the checklist form on the current page, if any
        self.status: int | None = None
        self.html = ""
        if session_cookie is None:
            self.sign_in(email)
        else:  # signed in before (the session lives in the database the app was copied from)
            self.client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), session_cookie)

    def sign_in(self, email: str) -> None:
        page = self.client.get("/login")
        form = find_form(page.get_data(as_text=True), action_endswith="/login") or _only_form_with(page, "password")
        response = form.fill("email", email).fill("password", PASSWORD).submit(self.client, "/login")
        assert response.status_code == 302, f"signing in as {email}: {response.status_code}"

    def open(self, url: str):
        """Follow a link or type the address: GET, following redirects as a browser does."""
        response = self.client.get(url, follow_redirects=True)
        self._show(response, response.request.path)
        return response

    def press(self, button: tuple[str, str] | None = ("go", "save"), form: Form | None = None):
        """Press a button of the form on the page: post the whole form. Redirects are not
        followed here (the caller sees 303 as "saved"); `follow()` goes on like the browser."""
        form = form or self.form
        assert form is not None, "no form on the page"
        response = form.submit(self.client, self.url, button=button)
        self._show(response, self.url)
        return response

    def follow(self, response):
        assert response.status_code in (301, 302, 303), response.status_code
        return self.open(response.location)

    def _show(self, response, url):
        self.status = response.status_code
        self.url = url
        self.html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        self.form = find_form(self.html, id=FORM_ID) if self.status < 300 or self.status >= 400 else None


def _only_form_with(response, field_name: str) -> Form:
    from tests.browserform import parse_forms

    forms = [f for f in parse_forms(response.get_data(as_text=True)) if f.has(field_name)]
    assert len(forms) == 1, f"{len(forms)} forms with a {field_name!r} field"
    return forms[0]


def fkey(criterion_id: str) -> str:
    return criterion_id.replace(".", "__")


def type_answer(form: Form, criterion, answer: tuple) -> None:
    """What a person does for one criterion: pick an answer, type a number, type a note,
    and tick the evidence chips (an optional fourth part, "seen,staff"; none: all unticked)."""
    value, number, note_text, *ticks = answer
    key = fkey(criterion.id)
    form.fill(f"value_{key}", value)
    if criterion.kind == "count":
        form.fill(f"number_{key}", number)
    form.fill(f"note_{key}", note_text)
    form.fill(f"evidence_{key}", ticks[0].split(",") if ticks and ticks[0] else [])


def typed(form: Form, criterion) -> tuple:
    """The fields of one criterion as the page shows them (strings, as typed); the ticked
    evidence chips as a fourth part only when there are any."""
    key = fkey(criterion.id)
    number = form.value(f"number_{key}") if criterion.kind == "count" else ""
    ticks = ",".join(c.value for c in form.named(f"evidence_{key}") if c.checked)
    return (form.value(f"value_{key}") or "", number or "", form.value(f"note_{key}") or "") + ((ticks,) if ticks else ())


INVALID = "invalid"


def answer_on(form: Form, criterion):
    """The answer a page means for one criterion, as it would be stored: (value, number, note),
    None for no answer, INVALID when it cannot be stored (a count out of range)."""
    value, raw_number, note_text, *ticks = typed(form, criterion)
    evidence = ticks[0] if ticks else None  # in the page's order, which is the stored order
    if evidence and {"children", "parents"} & set(evidence.split(",")):
        return INVALID  # the model types no count of children or parents: the page asks for one
    number = None
    if criterion.kind == "count" and raw_number.strip():
        try:
            number = float(raw_number)
        except ValueError:
            return INVALID
        if not criterion.range.min <= number <= criterion.range.max:
            return INVALID
        if value in LEFT_OUT:
            number = None
    answer = (value or None, number, note_text.strip() or None) + ((evidence,) if evidence else ())
    return None if answer == (None, None, None) else answer


def stored_answers(db_path: str, visit_id: int) -> dict:
    db = connect(db_path)
    try:
        rows = db.query("select criterion_id, value, number, note, evidence from answers where visit_id = ?", [visit_id])
        return {
            r["criterion_id"]: (r["value"], None if r["number"] is None else float(r["number"]), r["note"]) + ((r["evidence"],) if r["evidence"] else ())
            for r in rows
        }
    finally:
        db.conn.close()


# -- a draft visit with three people ------------------------------------------------------------

_template: dict = {}
# The app writes with synchronous=FULL; on tmpfs those syncs cost nothing, so examples run fast.
FAST_TMP = "/dev/shm" if Path("/dev/shm").is_dir() else None


def _template_db() -> tuple[str, int]:
    """A database with the test users, a second visitor of organisation 1, one azc and a
    draft visit, built once; every app gets a copy (building it per example is slow)."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="save-model-template-", dir=FAST_TMP))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        app = create_app(make_config(folder))
        add_users(app)
        with app.app_context():
            from checklist import store
            from checklist.views.auth import hash_password

            db = connect(app.config["DATABASE"])
            store.create_user(db, PEOPLE["B"], "Vic Visitor", 1, "visitor", hash_password(PASSWORD))
            db.conn.close()
        client = login(app.test_client())
        visit_id = create_visit(client, create_location(client))
        cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        sessions = {email: login(app.test_client(), email).get_cookie(cookie).value for email in PEOPLE.values()}
        _template.update(path=app.config["DATABASE"], visit_id=visit_id, sessions=sessions)
    return _template["path"], _template["visit_id"]


def _template_session(email: str) -> str:
    _template_db()
    return _template["sessions"][email]


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by the apps of one test run (keyed by name and source checksum)."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _MemoryBytecodeCache()


class Draft:
    """A fresh app (CSRF on, as in production) on a copy of the template database."""

    def __init__(self):
        template, self.visit_id = _template_db()
        self.folder = Path(tempfile.mkdtemp(prefix="save-model-", dir=FAST_TMP))
        self.db_path = str(self.folder / "test.sqlite")
        source, target = sqlite3.connect(template), sqlite3.connect(self.db_path)
        source.backup(target)
        source.close()
        target.close()
        self.app = create_app(make_config(self.folder, WTF_CSRF_ENABLED=True))
        self.app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES  # compiling the templates per app took most of the time

    def url(self, domain: str) -> str:
        return f"/visits/{self.visit_id}/domains/{domain}"

    def criteria(self, domain: str):
        return self.app.extensions["criteria"].domain(domain).criteria_for("azc")

    def answers(self) -> dict:
        return stored_answers(self.db_path, self.visit_id)

    def close(self):
        shutil.rmtree(self.folder, ignore_errors=True)


# -- 1. the stories from the issue tracker --------------------------------------------------------


def test_saving_again_from_the_conflict_page_keeps_what_someone_else_saved_meanwhile():
    """The issue, step by step (play.space and play.outdoor are the small criteria's
    stand-ins for play.indoor_space and play.activities)."""
    draft = Draft()
    try:
        a, b = Browser(draft.app, PEOPLE["A"]), Browser(draft.app, PEOPLE["B"])
        space, outdoor = draft.criteria("play")
        # 1. A and B both open the play page.
        a.open(draft.url("play"))
        b.open(draft.url("play"))
        # 2. A saves play.space = meets and play.outdoor = no, with a note.
        type_answer(a.form, space, ("meets", "", ""))
        type_answer(a.form, outdoor, ("no", "", "Hek kapot"))
        assert a.press().status_code == 303
        assert draft.answers() == {"play.space": ("meets", None, None), "play.outdoor": ("no", None, "Hek kapot")}
        # 3. B saves play.space = partly and gets the conflict page with both versions.
        type_answer(b.form, space, ("partly", "", ""))
        assert b.press().status_code == 409
        assert typed(b.form, space) == ("partly", "", "")  # B's version stays in the fields
        # 4. B presses save on that page, posting the form exactly as the browser does:
        #    B deliberately keeps "partly" (B has seen A's "meets" now) ...
        assert b.press().status_code == 303
        # ... and never touched play.outdoor, which B has never seen A's answer of.
        assert draft.answers() == {"play.space": ("partly", None, None), "play.outdoor": ("no", None, "Hek kapot")}, (
            "B's second save wrote B's stale, never-edited play.outdoor over A's answer"
        )
    finally:
        draft.close()


def test_saving_again_from_the_error_page_keeps_what_someone_else_saved_meanwhile():
    """The 422 variant: B types an impossible number while A saves another criterion."""
    draft = Draft()
    try:
        a, b = Browser(draft.app, PEOPLE["A"]), Browser(draft.app, PEOPLE["B"])
        fire, moves = draft.criteria("safety")
        assert moves.kind == "count" and moves.range.max == 20
        a.open(draft.url("safety"))
        b.open(draft.url("safety"))
        # B is typing a number of moves; meanwhile A answers the escape routes and saves.
        type_answer(a.form, fire, ("no", "", "Nooduitgang geblokkeerd"))
        assert a.press().status_code == 303
        # B saves 200 moves: out of range, the page comes back with B's input to correct.
        type_answer(b.form, moves, ("", "200", ""))
        assert b.press().status_code == 422
        assert typed(b.form, moves) == ("", "200", "")
        assert draft.answers() == {"safety.fire": ("no", None, "Nooduitgang geblokkeerd")}
        # B corrects it to 20 and saves.
        b.form.fill(f"number_{fkey(moves.id)}", "20")
        assert b.press().status_code == 303
        assert draft.answers() == {"safety.fire": ("no", None, "Nooduitgang geblokkeerd"), "safety.moves": (None, 20.0, None)}, (
            "B's save after correcting the number wrote B's stale, never-edited escape-routes answer over A's"
        )
    finally:
        draft.close()


# -- 2. the model ---------------------------------------------------------------------------------

DOMAIN = "safety"  # safety.fire (yes/no) and safety.moves (a count from 0 to 20)
# What people type per criterion: (answer, number, note[, evidence ticked]). 25 moves is out of
# range, and "children said" without how many is refused (422).
TYPED = {
    "safety.fire": [("yes", "", ""), ("no", "", "dicht"), ("", "", ""), ("no", "", "dicht", "seen,staff"), ("yes", "", "", "children")],
    "safety.moves": [("", "2", "vraag"), ("", "25", ""), ("unknown", "", ""), ("", "", ""), ("", "2", "vraag", "document")],
}
EDITS = [(cid, answer) for cid, answers in TYPED.items() for answer in answers]
WHO = st.sampled_from(sorted(PEOPLE))
# Typing happens only in the tab, so "edit, others act, save" is the same as "others act, then
# edit and save": a save step carries its edits, which keeps failing examples short.
CHANGES = st.lists(st.sampled_from(EDITS), max_size=2)


class SaveModel(RuleBasedStateMachine):
    """The model: per criterion the acknowledged (stored) answer; per person the page in their
    tab and, per criterion, the stored answer they started from: the one they have seen.

    A person has seen an answer when a page showed it as stored (a page load), when they
    stored it themselves, or when a conflict page showed it next to their own version.
    Seeing is by content: if the stored answer went X -> Y -> X while a page showed X, that
    page's X counts as seen (a server may still call it a conflict; that is allowed too).
    """

    def __init__(self):
        super().__init__()
        self.draft = Draft()
        self.url = self.draft.url(DOMAIN)
        self.criteria = {c.id: c for c in self.draft.criteria(DOMAIN)}
        assert sorted(self.criteria) == sorted(TYPED)
        self.people = {who: Browser(self.draft.app, email, _template_session(email)) for who, email in PEOPLE.items()}
        self.acked = {cid: None for cid in self.criteria}  # the acknowledged answer, None = no answer
        self.started = {who: dict(self.acked) for who in PEOPLE}  # per person: the stored answer they started from
        self.submitted = False

    def teardown(self):
        self.draft.close()

    # -- rules --------------------------------------------------------------------------------

    @initialize()
    def everyone_opens_the_page(self):
        for who in sorted(PEOPLE):
            self.load(who)

    @rule(who=WHO)
    def load(self, who):
        """Open (or reload) the page: the person now sees every stored answer."""
        person = self.people[who]
        person.open(self.url)
        if self.submitted:
            assert not self._editable(person.form), f"{who} got an editable checklist page of a submitted visit"
            person.form = None  # a read-only page: nothing to type into or press
            return
        assert person.status == 200 and person.form is not None, person.status
        shown = {cid: answer_on(person.form, c) for cid, c in self.criteria.items()}
        assert shown == self.acked, f"{who}'s fresh page shows {shown}, stored is {self.acked}"
        self.started[who] = dict(self.acked)

    @rule(who=WHO, edits=CHANGES)
    def save(self, who, edits):
        """Change some criteria on the page in the tab, then press save; with no edits, press
        save again on the page as it is (step 4 of the issue). The page may be a fresh one, or
        the conflict, error or expired-token page that a save brought back."""
        self._save(who, edits, expired_token=False)

    @rule(who=WHO)
    def save_with_expired_token(self, who):
        """Press save on the page in the tab after its security token expired: 400, nothing is
        saved, the page comes back as it was with a fresh token."""
        self._save(who, [], expired_token=True)

    @rule(who=WHO)
    def submit_or_reopen(self, who):
        """A draft: `who` submits it from the review page. A submitted visit: the coordinator (C)
        reopens it with a reason. Either way the person's tab leaves the checklist page."""
        if self.submitted:
            self._reopen()
            return
        person = self.people[who]
        person.open(f"/visits/{self.draft.visit_id}/review")
        form = find_form(person.html, action_endswith="/submit")
        assert form is not None, "a draft's review page has a submit form"
        response = person.press(button=None, form=form)
        assert response.status_code == 303, response.status_code
        person.follow(response)
        assert find_form(person.html, action_endswith="/submit") is None
        self.submitted = True

    def _reopen(self):
        coordinator = self.people["C"]
        coordinator.open(f"/visits/{self.draft.visit_id}")
        form = find_form(coordinator.html, action_endswith="/reopen")
        assert form is not None, "a submitted visit's page offers the coordinator to reopen it"
        form.fill("reason", "Nog een antwoord aanvullen")
        response = coordinator.press(button=None, form=form)
        assert response.status_code == 303, response.status_code
        coordinator.follow(response)
        assert find_form(coordinator.html, action_endswith="/reopen") is None
        self.submitted = False

    @invariant()
    def stored_answers_are_the_acknowledged_ones(self):
        stored = self.draft.answers()
        assert {cid: stored.get(cid) for cid in self.criteria} == self.acked
        assert set(stored) <= set(self.criteria)

    def _editable(self, form: Form | None) -> bool:
        return form is not None and any(not c.disabled for cid in self.criteria for c in form.named(f"value_{fkey(cid)}"))

    # -- a save and what it may do --------------------------------------------------------------

    def _save(self, who: str, edits, expired_token: bool) -> None:
        person = self.people[who]
        if person.form is None:
            return  # no checklist in this tab (the visit was submitted): nothing to type or press
        for cid, answer in edits:  # typing changes only the page; nothing is sent yet
            type_answer(person.form, self.criteria[cid], answer)
        if expired_token:
            if not person.form.has("csrf_token"):
                return
            person.form.force("csrf_token", "expired-" + person.form.value("csrf_token")[:20])
        started = self.started[who]
        mine = {cid: answer_on(person.form, c) for cid, c in self.criteria.items()}
        as_typed = {cid: typed(person.form, c) for cid, c in self.criteria.items()}
        changed = {cid for cid in self.criteria if mine[cid] != started[cid]}  # by this person, on this page
        valid = {cid for cid in changed if mine[cid] != INVALID}
        before = dict(self.acked)
        unseen = {cid for cid in self.criteria if started[cid] != before[cid]}  # changed by others since
        expect_conflict = {cid for cid in valid & unseen if mine[cid] != before[cid]}

        response = person.press()
        status = response.status_code
        after = {cid: self.draft.answers().get(cid) for cid in self.criteria}
        note(f"  {who} saves {_describe(mine, changed)} → {status}; stored now {_describe(after, set(after))}")

        if self.submitted:
            assert after == before, f"{who}'s save changed a submitted visit: {before} -> {after}"
            if response.status_code not in (301, 302, 303):
                assert not self._editable(person.form), f"{who} got an editable checklist page back from a submitted visit"
            person.form = None  # the tab shows the read-only visit
            return

        # 1. No lost update: every change is this person's deliberate change of a version they saw.
        for cid in self.criteria:
            if after[cid] == before[cid]:
                continue
            assert cid in changed, (
                f"LOST UPDATE: {who}'s save changed {cid} from {before[cid]} to {after[cid]}, "
                f"but {who} did not change {cid} on the page (it still shows {started[cid]}, the version {who} started from)"
            )
            assert cid not in unseen, (
                f"LOST UPDATE: {who}'s save replaced {cid} = {before[cid]} by {after[cid]}, "
                f"an answer {who} never saw ({who} started from {started[cid]})"
            )
            assert after[cid] == mine[cid], f"{who} saved {mine[cid]} for {cid}, stored is {after[cid]}"
            self.acked[cid] = after[cid]
        written = {cid for cid in self.criteria if after[cid] != before[cid]}

        # 2. What the response acknowledges is stored.
        assert status in (303, 409, 422, 400), f"unexpected status {status}"
        if expired_token:
            assert status == 400 and not written, f"a save with an expired token answered {status} and wrote {written}"
            assert {cid: typed(person.form, c) for cid, c in self.criteria.items()} == as_typed, "the expired-token page lost typed input"
            return  # the tab shows the same page with a fresh token; nothing new was seen
        if status in (303, 422):
            for cid in valid - unseen:
                assert after[cid] == mine[cid], f"{who}'s save answered {status} but {cid} = {mine[cid]} was not stored (stored: {after[cid]})"
        if expect_conflict:
            assert status == 409, f"{who} changed {sorted(expect_conflict)} that someone else changed meanwhile: expected 409, got {status}"
        if status == 422:
            for cid in changed - valid:
                assert typed(person.form, self.criteria[cid]) == as_typed[cid], f"the error page does not show {cid} as typed"

        # 3. What the person has seen now.
        if status == 303:
            person.follow(response)
            assert person.url == self.url and person.form is not None, f"save led to {person.url} ({person.status})"
            shown = {cid: answer_on(person.form, c) for cid, c in self.criteria.items()}
            assert shown == self.acked, f"{who}'s page after saving shows {shown}, stored is {self.acked}"
            self.started[who] = dict(self.acked)
            return
        assert person.form is not None, f"the {status} page has no checklist form"
        for cid in written:
            started[cid] = self.acked[cid]  # their own answer
        for cid in valid:
            # Someone else had stored exactly what this person typed: the save reports it as
            # theirs (nothing to write), and the page goes on from that stored version.
            if mine[cid] == after[cid]:
                started[cid] = self.acked[cid]
        for cid, c in self.criteria.items():
            # A criterion this person did not change may come back showing what is stored now:
            # then that is what they see, and what their next change starts from.
            if cid not in changed and answer_on(person.form, c) == self.acked[cid]:
                started[cid] = self.acked[cid]
        if status == 409:
            for cid in expect_conflict:
                started[cid] = self.acked[cid]  # the conflict page shows the other version next to theirs


def _describe(answers: dict, which: set) -> str:
    parts = []
    for cid in sorted(which):
        a = answers[cid]
        if a is None:
            text = "-"
        elif a == INVALID:
            text = "INVALID"
        else:
            text = "/".join(str(x if not isinstance(x, float) else f"{x:g}") for x in a if x is not None)
        parts.append(f"{cid.split('.')[1]}={text}")
    return "{" + ", ".join(parts) + "}"


SaveModel.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=15,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is deterministic
    database=None,
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no "explain": it traces every line, 10x slower  # one failure, shrunk to its shortest story
    suppress_health_check=[HealthCheck.too_slow],
)
TestSaveModel = SaveModel.TestCase
