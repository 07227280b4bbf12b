"""Who may see and do what: roles and the scope of visits they can read. No Flask, no SQL.

Locations are a shared register of places (the same azc is visited by several
organisations), so every signed-in user can read them; visits, answers, what children
said and reports are scoped by organisation and role.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("visitor", "coordinator", "monitor", "admin")


@dataclass(frozen=True)
class Scope:
    """Which visits a user may read: one organisation's, submitted ones only, or none."""

    organisation_id: int | None = None
    submitted_only: bool = False
    nothing: bool = False
    # Visits kept from this reader although the rest would allow them: the other half of an
    # open blind calibration pair they work on (`checklist.core.calibration.blind_visits`).
    hidden: frozenset = frozenset()

    def where(self, alias: str = "v") -> tuple[str, list]:
        """An SQL condition and its parameters for a query over visits aliased `alias`."""
        if self.nothing:
            return "0", []
        clauses, params = [], []
        if self.organisation_id is not None:
            clauses.append(f"{alias}.organisation_id = ?")
            params.append(self.organisation_id)
        if self.submitted_only:
            clauses.append(f"{alias}.status = 'submitted'")
        if self.hidden:
            clauses.append(f"{alias}.id not in ({', '.join('?' for _ in self.hidden)})")
            params.extend(sorted(self.hidden))
        return (" and ".join(clauses) or "1"), params


EVERYTHING = Scope()


def visit_scope(role: str, organisation_id: int, blind: frozenset = frozenset()) -> Scope:
    """Visitors and coordinators: their organisation's visits, drafts included.
    Monitors: submitted visits of all organisations. Admins manage accounts, not visits.

    `blind`: visits a visitor must not see while a calibration pair they work on is open
    (`checklist.core.calibration`). Coordinators see both halves of every pair; monitors
    work on no visit, so nothing is hidden from them."""
    if role == "visitor":
        return Scope(organisation_id=organisation_id, hidden=frozenset(blind))
    if role == "coordinator":
        return Scope(organisation_id=organisation_id)
    if role == "monitor":
        return Scope(submitted_only=True)
    return Scope(nothing=True)


PERMISSIONS = {
    # action: roles allowed
    "edit_visits": {"visitor", "coordinator"},
    "edit_locations": {"visitor", "coordinator", "admin"},
    "reopen_visits": {"coordinator"},
    "compare": {"visitor", "coordinator", "monitor"},  # the overview, within the reader's scope
    "export": {"coordinator", "monitor"},  # aggregate reports and CSV/XLSX exports
    "manage_actions": {"visitor", "coordinator"},
    "manage_users": {"admin"},
    "read_audit": {"admin"},
    "exchange_forms": {"coordinator"},  # the XLSForm for KoboToolbox/ODK, and importing its submissions
    "calibrate": {"coordinator"},  # pair two visits for calibration, see every pair  # the audit log is read on /admin/audit/
}


def may(role: str, action: str) -> bool:
    return role in PERMISSIONS[action]
