"""Schema changes, append-only: never edit a migration that has been applied somewhere.

Answers are stored long-form, one row per (visit, criterion id), so editing
`criteria.yaml` needs no migration. No table has a column for a child's name, birth
date or other personal data: the app records locations and observations only.
"""

from sqlite_utils import Database
from sqlite_utils import Migrations

migrations = Migrations("checklist")

COALITION = [
    "De Vrolijkheid",
    "War Child",
    "Save the Children",
    "UNICEF Nederland",
    "Defence for Children",
    "VluchtelingenWerk Nederland",
    "Kinderpostzegels",
    "Pharos",
]


@migrations()
def m001_initial(db: Database):
    db["criteria_versions"].create(
        {"hash": str, "version": str, "source_text": str, "created_at": str},
        pk="hash",
        not_null={"version", "source_text", "created_at"},
    )
    db["organisations"].create(
        {"id": int, "name": str, "created_at": str},
        pk="id",
        not_null={"name", "created_at"},
    )
    db["organisations"].create_index(["name"], unique=True)
    db["locations"].create(
        {
            "id": int,
            "name": str,
            "type": str,
            "municipality": str,
            "province": str,
            "operator": str,
            "capacity": int,
            "children": int,
            "closed_on": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"name", "type", "created_at", "updated_at"},
    )
    db["locations"].create_index(["type"])
    db["locations"].create_index(["province"])
    db["visits"].create(
        {
            "id": int,
            "location_id": int,
            "organisation_id": int,
            "visit_date": str,
            "visitors": str,
            "announced": int,
            "children_present": int,
            "amv_present": int,
            "impression": str,
            "status": str,
            "criteria_hash": str,
            "current_domain": str,
            "version": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
        },
        pk="id",
        foreign_keys=[
            ("location_id", "locations", "id"),
            ("organisation_id", "organisations", "id"),
            ("criteria_hash", "criteria_versions", "hash"),
        ],
        not_null={"location_id", "organisation_id", "visit_date", "status", "criteria_hash", "version", "created_at", "updated_at"},
        defaults={"status": "draft", "version": 1, "announced": 0},
    )
    db["visits"].create_index(["location_id", "status", "visit_date"])
    db["answers"].create(
        {
            "visit_id": int,
            "criterion_id": str,
            "value": str,
            "number": float,
            "note": str,
            "rev": int,
            "updated_at": str,
        },
        pk=("visit_id", "criterion_id"),
        foreign_keys=[("visit_id", "visits", "id")],
        not_null={"visit_id", "criterion_id", "rev", "updated_at"},
        defaults={"rev": 1},
    )
    db["child_voices"].create(
        {"id": int, "visit_id": int, "age_band": str, "domain_id": str, "text": str, "created_at": str},
        pk="id",
        foreign_keys=[("visit_id", "visits", "id")],
        not_null={"visit_id", "age_band", "text", "created_at"},
    )
    db["child_voices"].create_index(["visit_id"])
    db["meta"].create({"key": str, "value": str}, pk="key")


@migrations()
def m002_coalition_organisations(db: Database):
    """The Werkgroep Kind in azc members that do visits; admins add more later."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db["organisations"].insert_all(({"name": name, "created_at": now} for name in COALITION), ignore=True)


@migrations()
def m003_accounts(db: Database):
    """Users with a role in one organisation; server-side sessions so logout really ends them."""
    db["users"].create(
        {
            "id": int,
            "email": str,
            "display_name": str,
            "organisation_id": int,
            "role": str,
            "active": int,
            "password_hash": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("organisation_id", "organisations", "id")],
        not_null={"email", "display_name", "organisation_id", "role", "active", "password_hash", "created_at", "updated_at"},
        defaults={"active": 1},
    )
    db["users"].create_index(["email"], unique=True)
    # The cookie holds a random token; only its SHA-256 is stored, so a copy of the
    # database does not hand out live sessions.
    db["sessions"].create(
        {"token_hash": str, "user_id": int, "created_at": str, "last_seen": str},
        pk="token_hash",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "created_at", "last_seen"},
    )
    db["sessions"].create_index(["user_id"])
    db["login_failures"].create({"id": int, "email": str, "remote_ip": str, "at": str}, pk="id", not_null={"email", "remote_ip", "at"})
    db["login_failures"].create_index(["email", "at"])
    db["login_failures"].create_index(["remote_ip", "at"])


@migrations()
def m004_audit_and_revisions(db: Database):
    """An append-only audit log (ids and field names, never note text) and visit revisions."""
    db["audit_log"].create(
        {"id": int, "at": str, "user_id": int, "organisation_id": int, "action": str, "entity": str, "entity_id": int, "fields": str},
        pk="id",
        not_null={"at", "action", "entity"},
    )
    db["audit_log"].create_index(["at"])
    db["audit_log"].create_index(["entity", "entity_id"])
    db["audit_log"].create_index(["user_id"])
    # The database itself refuses to rewrite history, whatever the code above it does.
    db.execute("create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end")
    db.execute("create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end")
    # Each submission keeps a full copy of what was submitted, so a reopened visit's
    # earlier version is never lost; reopening records who, when and why.
    db["visit_revisions"].create(
        {"id": int, "visit_id": int, "revision": int, "event": str, "at": str, "user_id": int, "reason": str, "snapshot": str},
        pk="id",
        foreign_keys=[("visit_id", "visits", "id")],
        not_null={"visit_id", "revision", "event", "at"},
    )
    db["visit_revisions"].create_index(["visit_id"])
    db["visits"].add_column("revision", int, not_null_default=0)
    db.execute("update visits set revision = 1 where status = 'submitted'")


@migrations()
def m005_stored_scores(db: Database):
    """Scores of submitted visits, stored so comparisons run in SQL over indexes.

    They are derived data: `flask recompute-scores` rebuilds them from the answers.
    """
    db["visit_scores"].create(
        {"visit_id": int, "score": float, "status": str, "scored": int, "assessable": int, "red_flags": int},
        pk="visit_id",
        foreign_keys=[("visit_id", "visits", "id")],
        not_null={"status", "scored", "assessable", "red_flags"},
    )
    db["visit_domain_scores"].create(
        {"visit_id": int, "domain_id": str, "score": float, "status": str, "scored": int, "assessable": int, "red_flags": int},
        pk=("visit_id", "domain_id"),
        foreign_keys=[("visit_id", "visits", "id")],
        not_null={"status", "scored", "assessable", "red_flags"},
    )
    db["visit_domain_scores"].create_index(["domain_id", "visit_id"])
    db["visits"].create_index(["status", "visit_date"])
    db["locations"].create_index(["operator"])


@migrations()
def m006_actions(db: Database):
    """Follow-up actions recorded from a criterion that was not or only partly met.

    An action belongs to the visit it came from (and so to that visit's organisation and
    location); `closed_in_visit_id` is the later visit at which it was found done or not
    done, if it was checked at a visit. `owner` is who must act outside the app (COA
    location manager, municipality, school, GGD, ...), free text, never a child.
    """
    db.execute(
        """create table actions (
            id integer primary key,
            location_id integer not null references locations(id),
            visit_id integer not null references visits(id),
            criterion_id text not null,
            what text not null,
            owner text not null,
            due_on text not null,
            status text not null default 'open' check (status in ('open', 'done', 'not_done', 'cancelled')),
            organisation_id integer not null references organisations(id),
            created_by integer references users(id),
            created_at text not null,
            updated_at text not null,
            closed_at text,
            closed_in_visit_id integer references visits(id)
        )"""
    )
    db["actions"].create_index(["location_id", "status", "criterion_id"])  # open actions per location (and criterion)
    db["actions"].create_index(["organisation_id", "status", "due_on"])  # overdue per organisation
    db["actions"].create_index(["status", "due_on"])  # overdue across organisations (monitors)
    db["actions"].create_index(["visit_id"])
    db["actions"].create_index(["closed_in_visit_id"])


@migrations()
def m007_answer_revisions(db: Database):
    """A revision counter per visit for the save protocol (`checklist.core.save_protocol`).

    Every save that writes answers takes the next number, so a revision is never reused,
    not even after an answer was cleared (its row deleted) and typed again. It starts
    above every revision already stored.
    """
    db.execute("alter table visits add column answers_rev integer not null default 0")
    db.execute("update visits set answers_rev = coalesce((select max(rev) from answers a where a.visit_id = visits.id), 0)")


@migrations()
def m008_answer_results(db: Database):
    """Each answered criterion's result and points at submission (`store.scores.write_scores`).

    Written from the same `VisitScore` as `visit_scores`, so the monitor report and the
    exports count the results the visit page shows instead of judging answers again in SQL.
    One row per (visit, criterion) with a result (meets/partly/fails/na/unknown); points
    are null where a result is left out of the score. Without rowid: the primary key is the
    table, so a visit's results are one contiguous range, read by the aggregates after
    they have chosen the visits through the visits indexes.

    The stored scores are emptied here: they are derived data, and the start-up
    `recompute_scores` rebuilds them, with these rows, for every submitted visit.
    """
    db.execute(
        """create table answer_results (
            visit_id integer not null references visits(id),
            criterion_id text not null,
            domain_id text not null,
            result text not null check (result in ('meets', 'partly', 'fails', 'na', 'unknown')),
            points real,
            weight real not null,
            critical integer not null,
            primary key (visit_id, criterion_id)
        ) without rowid"""
    )
    db.execute("delete from visit_domain_scores")
    db.execute("delete from visit_scores")


@migrations()
def m009_amv_resident(db: Database):
    """How many unaccompanied minors live at the location, as staff say at the visit.

    Criteria 2026.2 apply the unaccompanied-minors domain to every location type where
    they live: a visit that records 0 here leaves that domain out (`applies_when`).
    Not `amv_present`, which counts those present during the visit (often at school).
    """
    db.execute("alter table visits add column amv_resident integer")


@migrations()
def m010_answer_evidence(db: Database):
    """What each answer rests on (`checklist.core.evidence`), and unassessed flags in the stored scores.

    `answers.evidence` is the canonical comma-separated set of evidence types (seen,
    document, staff, children, parents) or null; `children_n` and `parents_n` how many
    children and parents said so. Submitted revisions keep them in their snapshot (which
    copies the answer rows).

    `unassessed_flags` in `visit_scores` and `visit_domain_scores`: critical criteria
    answered "could not assess", stored beside `red_flags` so the overview shows them the
    same way. The stored scores are emptied: derived data, rebuilt at start-up by
    `recompute_scores` with the new counts.
    """
    db.execute("alter table answers add column evidence text")
    db.execute("alter table answers add column children_n integer")
    db.execute("alter table answers add column parents_n integer")
    db.execute("alter table visit_scores add column unassessed_flags integer not null default 0")
    db.execute("alter table visit_domain_scores add column unassessed_flags integer not null default 0")
    db.execute("delete from answer_results")
    db.execute("delete from visit_domain_scores")
    db.execute("delete from visit_scores")


@migrations()
def m011_calibration_pairs(db: Database):
    """Calibration pairs: two visits of one location by different visitors, paired by a
    coordinator to see whether they give the same answers (`checklist.core.calibration`).

    `visit_a` is the lower id. A visit is in at most one pair (checked when pairing, inside
    the transaction that writes the pair; the indexes also serve the look-ups by visit).
    """
    db.execute(
        """create table calibration_pairs (
            id integer primary key,
            visit_a integer not null references visits(id),
            visit_b integer not null references visits(id),
            location_id integer not null references locations(id),
            organisation_id integer not null references organisations(id),
            created_by integer references users(id),
            created_at text not null,
            check (visit_a < visit_b)
        )"""
    )
    db.execute("create unique index calibration_pairs_visit_a on calibration_pairs(visit_a)")
    db.execute("create unique index calibration_pairs_visit_b on calibration_pairs(visit_b)")
    db["calibration_pairs"].create_index(["organisation_id", "created_at"])


@migrations()
def m012_visit_evidence(db: Database):
    """What each submitted visit's answers rest on, tallied at submission
    (`checklist.core.evidence.tally`) beside its scores: the monitor report sums one row per
    visit instead of reading every answer (2.3 s of a ten-year report otherwise).

    Derived data like the stored scores: emptied here with them, so the start-up
    `recompute_scores` rebuilds both for every submitted visit.
    """
    db.execute(
        """create table visit_evidence (
            visit_id integer primary key references visits(id),
            answers integer not null, "none" integer not null,
            seen integer not null, document integer not null, staff integer not null,
            children integer not null, parents integer not null,
            children_people integer not null, parents_people integer not null
        )"""
    )
    db.execute("delete from answer_results")
    db.execute("delete from visit_domain_scores")
    db.execute("delete from visit_scores")


@migrations()
def m013_photos(db: Database):
    """Photos of what was seen, per criterion of a visit (`checklist.core.photos`).

    Kept in the database, so `backup` and `restore` carry them with the answers they
    belong to. `jpeg` is the cleaned image (re-encoded, no metadata), never the upload.
    """
    db.execute(
        """create table photos (
            id integer primary key,
            visit_id integer not null references visits(id),
            criterion_id text not null,
            jpeg blob not null,
            width integer not null,
            height integer not null,
            created_at text not null,
            created_by integer references users(id)
        )"""
    )
    db["photos"].create_index(["visit_id", "criterion_id"])


@migrations()
def m014_offline_client_keys(db: Database):
    """A key the visitor's device gives each statement and photo it sends, so one written or
    taken offline and sent twice (the answer to the first send was lost) is stored once."""
    db.execute("alter table child_voices add column client_key text")
    db.execute("create unique index child_voices_client_key on child_voices (visit_id, client_key) where client_key is not null")
    db.execute("alter table photos add column client_key text")
    db.execute("create unique index photos_client_key on photos (visit_id, client_key) where client_key is not null")


@migrations()
def m015_imported_submissions(db: Database):
    """Submissions of the checklist's XLSForm imported from KoboToolbox or ODK Central
    (`checklist.core.submissions`): one row per instance id, so importing the same file
    twice adds nothing. `visit_id` is the draft visit the submission became.
    """
    db.execute(
        """create table imported_submissions (
            instance_id text primary key,
            visit_id integer not null references visits(id),
            file_name text,
            imported_at text not null,
            imported_by integer references users(id)
        )"""
    )
    db["imported_submissions"].create_index(["visit_id"])


@migrations()
def m016_second_factor(db: Database):
    """The second factor (`checklist.core.totp`): per account the TOTP secret once it is
    confirmed, a secret being enrolled (shown, not yet confirmed with a code), the time step of
    the last code accepted (a code of that step or earlier is refused: no replay), and whether
    the account must enrol at its next sign-in whatever its role (after an admin's reset).
    Recovery codes are argon2id hashes, each usable once (`used_at`).
    """
    db.execute("alter table users add column totp_secret text")
    db.execute("alter table users add column totp_pending_secret text")
    db.execute("alter table users add column totp_last_step integer")
    db.execute("alter table users add column totp_enabled_at text")
    db.execute("alter table users add column totp_must_enrol integer not null default 0")
    db.execute(
        """create table recovery_codes (
            id integer primary key,
            user_id integer not null references users(id),
            code_hash text not null,
            created_at text not null,
            used_at text
        )"""
    )
    db["recovery_codes"].create_index(["user_id"])


@migrations()
def m017_system_admins_and_location_history(db: Database):
    """System admins, and a history of every change to a location.

    `users.system_admin`: an admin whose account says so manages every organisation's accounts
    and the organisations (`checklist.core.access`); set only on the command line. Other admins
    manage their own organisation's accounts.

    `location_changes`: one row per changed field of a location (the shared register): who,
    when, what it was and what it became; a location is facts about a place, never a person.
    `action` is create, update, close or reopen. Changes made before this migration are taken
    from the audit log: who, when and which fields, without the values.
    """
    db.execute("alter table users add column system_admin integer not null default 0")
    db.execute(
        """create table location_changes (
            id integer primary key,
            location_id integer not null references locations(id),
            at text not null,
            user_id integer references users(id),
            organisation_id integer references organisations(id),
            action text not null check (action in ('create', 'update', 'close', 'reopen')),
            field text,
            old_value text,
            new_value text
        )"""
    )
    db["location_changes"].create_index(["location_id", "id"])
    for row in list(db.query("select * from audit_log where entity = 'location' and entity_id is not null order by id")):
        fields = [f for f in (row["fields"] or "").split(",") if f] or [None]
        for field in fields:
            db["location_changes"].insert(
                {
                    "location_id": row["entity_id"],
                    "at": row["at"],
                    "user_id": row["user_id"],
                    "organisation_id": row["organisation_id"],
                    "action": row["action"] if row["action"] in ("create", "update", "close", "reopen") else "update",
                    "field": field,
                }
            )


@migrations()
def m018_limits_and_traces(db: Database):
    """Fair limits on heavy work, and fewer traces (issue 11 §4-5).

    - `rate_limits`: Flask-Limiter's counters (`checklist.store.limits.SQLiteStorage`), one row per
      key and window, in this file so every gunicorn worker sees the same counts;
    - `heavy_slots`: the PDF, report and export requests running now, per user, each with an expiry
      so a slot a killed worker never released frees itself;
    - `login_failures` keeps a keyed digest of what was typed as the email (`account`), never the
      text itself (a password typed into the email field would otherwise be kept): the rows are
      throttle state of at most 15 minutes, so the table is emptied and made anew;
    - `audit_log.detail`: what a sign-in, an export or a report download was about (the address,
      the filters chosen from the app's own lists), never text a user typed.
    """
    db.execute("create table rate_limits (key text primary key, count integer not null, expires_at real not null)")
    db.execute(
        """create table heavy_slots (
            id integer primary key,
            user_id integer not null,
            endpoint text not null,
            expires_at real not null
        )"""
    )
    db["heavy_slots"].create_index(["user_id", "expires_at"])
    db.execute("drop table login_failures")
    db["login_failures"].create({"id": int, "account": str, "remote_ip": str, "at": str}, pk="id", not_null={"account", "remote_ip", "at"})
    db["login_failures"].create_index(["account", "at"])
    db["login_failures"].create_index(["remote_ip", "at"])
    db["login_failures"].create_index(["at"])
    db["audit_log"].add_column("detail", str)


@migrations()
def m030_operators_replies_and_mail(db: Database):
    """Operators as users, the right of reply, re-checks, life-safety escalations and the mail
    outbox (`checklist.core.replies`, `checklist.store.replies`, `checklist.store.mail`).

    - `organisations.kind`: 'visiting' (the coalition's members, who make visits) or 'operator'
      (COA, a municipality, another operator of locations, whose accounts reply);
    - `users.invited_by`: the visiting organisation whose coordinator invited an operator account
      (its coordinators manage it); `operator_locations`: the locations an operator account runs;
    - `finding_sends`: a submitted visit's findings put to the operator, with the reply deadline;
      `findings`: what was sent, a copy per criterion not or partly met (result and note as they
      were at sending), never changed by a reply; `finding_replies`: the operator's answers, one
      per round (a coordinator may ask once more), append-only; `finding_rechecks`: what a later
      submitted visit of the location answered for the same criterion (met closes the finding);
    - `escalations`: a life-safety criterion (`cap: red`) failed at a submitted visit, open until
      the operator says what was done;
    - `mail_outbox`: mail queued in the transaction that causes it and sent later with retries,
      so a mail server that is down loses nothing and never holds up a submit.
    """
    db.execute("alter table organisations add column kind text not null default 'visiting' check (kind in ('visiting', 'operator'))")
    db.execute("alter table users add column invited_by integer references organisations(id)")
    db.execute(
        """create table operator_locations (
            user_id integer not null references users(id),
            location_id integer not null references locations(id),
            created_at text not null,
            primary key (user_id, location_id)
        )"""
    )
    db.execute("create index operator_locations_location on operator_locations(location_id)")
    db.execute(
        """create table finding_sends (
            id integer primary key,
            visit_id integer not null unique references visits(id),
            location_id integer not null references locations(id),
            organisation_id integer not null references organisations(id),
            sent_at text not null,
            sent_by integer references users(id),
            reply_due text not null
        )"""
    )
    db.execute("create index finding_sends_location on finding_sends(location_id)")
    db.execute("create index finding_sends_organisation on finding_sends(organisation_id, sent_at)")
    db.execute(
        """create table findings (
            id integer primary key,
            send_id integer not null references finding_sends(id),
            visit_id integer not null references visits(id),
            location_id integer not null references locations(id),
            criterion_id text not null,
            domain_id text not null,
            result text not null check (result in ('partly', 'fails')),
            note text,
            reply_due text not null,
            review text check (review in ('accepted', 'asked_again')),
            review_text text,
            reviewed_at text,
            reviewed_by integer references users(id)
        )"""
    )
    db.execute("create unique index findings_send_criterion on findings(send_id, criterion_id)")
    db.execute("create index findings_location on findings(location_id)")
    db.execute("create index findings_visit on findings(visit_id)")
    db.execute(
        """create table finding_replies (
            id integer primary key,
            finding_id integer not null references findings(id),
            round integer not null check (round in (1, 2)),
            stance text not null check (stance in ('agree', 'disagree')),
            text text not null,
            change text,
            plan_date text,
            replied_at text not null,
            user_id integer references users(id),
            organisation_id integer not null references organisations(id)
        )"""
    )
    db.execute("create unique index finding_replies_round on finding_replies(finding_id, round)")
    db.execute("create trigger finding_replies_no_update before update on finding_replies begin select raise(abort, 'a reply is never changed'); end")
    db.execute(
        """create table finding_rechecks (
            finding_id integer not null references findings(id),
            visit_id integer not null references visits(id),
            visit_date text not null,
            result text not null,
            primary key (finding_id, visit_id)
        )"""
    )
    db.execute("create index finding_rechecks_visit on finding_rechecks(visit_id)")
    db.execute(
        """create table escalations (
            id integer primary key,
            visit_id integer not null references visits(id),
            location_id integer not null references locations(id),
            organisation_id integer not null references organisations(id),
            criterion_id text not null,
            started_at text not null,
            due_at text not null,
            answer text,
            answered_at text,
            answered_by integer references users(id),
            answered_organisation_id integer references organisations(id)
        )"""
    )
    db.execute("create unique index escalations_visit_criterion on escalations(visit_id, criterion_id)")
    db.execute("create index escalations_open on escalations(location_id, answered_at)")
    db.execute(
        """create table mail_outbox (
            id integer primary key,
            created_at text not null,
            recipient text not null,
            subject text not null,
            body text not null,
            kind text not null,
            attempts integer not null default 0,
            next_attempt_at text not null,
            claimed_until text,
            sent_at text,
            last_error text
        )"""
    )
    db.execute("create index mail_outbox_due on mail_outbox(sent_at, next_attempt_at)")
