"""Who may see and do what: roles and the scope of visits they can read. No Flask, no SQL.

Locations are a shared register of places (the same azc is visited by several
organisations), so every signed-in user can read them and coordinators of any organisation
change them; visits, answers, what children said and reports are scoped by organisation
and role.

Who administers whom: an organisation's admins manage the accounts of their own
organisation (never a system admin's); system admins, a few accounts with the admin role
made so on the command line (`make-system-admin`), manage every account and the
organisations.

Operators (the manager of a location at COA, a municipality or another operator, in an
operator organisation) read no visit at all: they see only the findings a coordinator sent
them for the locations their account runs, and the life-safety escalations of those
locations, on pages of their own (`OPERATOR_PAGES`); every other page answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from checklist.core.i18n import N_

ROLES = ("visitor", "coordinator", "monitor", "admin", "operator")


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
    return Scope(nothing=True)  # admins and operators read no visit


PERMISSIONS = {
    # action: roles allowed
    "edit_visits": {"visitor", "coordinator"},
    "edit_locations": {"coordinator"},  # the shared register: create, change, close, reopen
    "reopen_visits": {"coordinator"},
    "compare": {"visitor", "coordinator", "monitor"},  # the overview, within the reader's scope
    "export": {"coordinator", "monitor"},  # aggregate reports and CSV/XLSX exports
    "manage_actions": {"visitor", "coordinator"},
    "manage_users": {"admin"},
    "read_audit": {"admin"},
    "exchange_forms": {"coordinator"},  # the XLSForm for KoboToolbox/ODK, and importing its submissions
    "calibrate": {"coordinator"},  # pair two visits for calibration, see every pair
    "send_findings": {"coordinator"},  # put a visit's findings to the operator, review the replies, the follow-up page
    "invite_operators": {"coordinator"},  # operator accounts for the locations they run
    "plan_visits": {"coordinator"},  # the planning page and its CSV
    "reply_findings": {"operator"},  # answer the findings sent and the escalations of one's own locations
    # Only for system admins (an admin whose account says so), whatever the role table says:
    "manage_organisations": set(),
    "read_all_audit": set(),  # an organisation's admins read the audit rows of their organisation
}
SYSTEM_ADMIN_ACTIONS = {"manage_organisations", "read_all_audit"}

# Roles an organisation's admin may give. A monitor reads the submitted visits of every
# organisation, so only a system admin makes one.
ORGANISATION_ADMIN_ROLES = ("visitor", "coordinator", "admin")

# The only pages an operator reaches (deny by default: every other endpoint answers 404 to
# an operator, whatever its own checks say). What they show is limited to the findings sent
# and the escalations of the operator's own locations (`checklist.store.replies`).
OPERATOR_PAGES = frozenset(
    {
        "pages.index",
        "pages.criteria_book",  # the criteria only
        "replies.operator_home",
        "replies.sent",
        "replies.answer_escalation",
        "auth.logout",
        "auth.change_password",
        "auth.second_factor_settings",
    }
)


def may(role: str, action: str, system_admin: bool = False) -> bool:
    if system_admin and role == "admin" and action in SYSTEM_ADMIN_ACTIONS:
        return True
    return role in PERMISSIONS[action]


@dataclass(frozen=True)
class Account:
    """An account as the rules below see it (a users row, or the signed-in user)."""

    id: int
    organisation_id: int
    role: str
    system_admin: bool = False

    @classmethod
    def of(cls, row) -> "Account":
        return cls(row["id"], row["organisation_id"], row["role"], bool(row.get("system_admin")))

    @property
    def is_system_admin(self) -> bool:
        return self.system_admin and self.role == "admin"


def may_manage_account(actor: Account, target: Account) -> bool:
    """Whether `actor` may open and change `target`'s account (name, role, organisation,
    active, password). System admins: every account. An organisation's admins: the accounts of
    their own organisation except system admins' (their own included)."""
    if actor.is_system_admin:
        return True
    if actor.role != "admin":
        return False
    return target.organisation_id == actor.organisation_id and not target.is_system_admin


def assignable_roles(actor: Account) -> tuple[str, ...]:
    """The roles `actor` may give an account."""
    if actor.is_system_admin:
        return ROLES
    return ORGANISATION_ADMIN_ROLES if actor.role == "admin" else ()


def assignable_organisations(actor: Account, organisation_ids) -> list[int]:
    """Of `organisation_ids`, those `actor` may put an account in."""
    if actor.is_system_admin:
        return list(organisation_ids)
    return [o for o in organisation_ids if o == actor.organisation_id] if actor.role == "admin" else []


def account_change_refused(actor: Account, before: Account | None, role: str, organisation_id: int, active: bool) -> str | None:
    """Why `actor` may not give an account (`before`, None for a new one) this role,
    organisation and active state: an English msgid, or None when allowed."""
    if before is not None and not may_manage_account(actor, before):
        return N_("You cannot manage this account.")
    if organisation_id not in assignable_organisations(actor, [organisation_id]):
        return N_("You can only manage accounts of your own organisation.")
    # A system admin keeps the admin role (it is only taken away on the command line);
    # other accounts may keep the role they have even if the actor could not give it.
    if before is not None and before.is_system_admin and role != "admin":
        return N_("A system admin keeps the admin role; change that on the command line.")
    if role not in assignable_roles(actor) and not (before is not None and before.role == role):
        return N_("You cannot give this role.")
    if before is not None and before.id == actor.id and (not active or role != "admin"):
        return N_("You cannot remove your own admin rights or deactivate yourself.")
    return None
