"""All data access: named reads and writes over sqlite-utils. Views never hold SQL.

Reads return plain dicts. Writes that depend on what is stored (a visit must still be a
draft, a revision counter goes up) run under BEGIN IMMEDIATE through `connection.immediate`,
and write their audit row in the same transaction. Callers use `store.<function>`; the
modules below split the work by subject, and this list is the one place that says what each
one offers to the layers above.
"""

from checklist.store.base import LOCATION_FIELDS
from checklist.store.base import VISIT_FIELDS
from checklist.store.base import AGE_BANDS
from checklist.store.base import VisitLocked
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import audit_event
from checklist.store.base import now
from checklist.store.base import list_audit
from checklist.store.base import get_meta
from checklist.store.base import set_meta
from checklist.store.base import counts
from checklist.store.accounts import get_user
from checklist.store.accounts import get_user_by_email
from checklist.store.accounts import list_users
from checklist.store.accounts import create_user
from checklist.store.accounts import update_user
from checklist.store.accounts import set_password
from checklist.store.accounts import set_system_admin
from checklist.store.accounts import create_session
from checklist.store.accounts import session_with_user
from checklist.store.accounts import touch_session
from checklist.store.accounts import delete_session
from checklist.store.accounts import record_login_failure
from checklist.store.accounts import login_failures_since
from checklist.store.accounts import clear_login_failures
from checklist.store.second_factor import set_pending_secret
from checklist.store.second_factor import enable_second_factor
from checklist.store.second_factor import accept_totp_step
from checklist.store.second_factor import unused_recovery_codes
from checklist.store.second_factor import use_recovery_code
from checklist.store.second_factor import replace_recovery_codes
from checklist.store.second_factor import disable_second_factor
from checklist.store.second_factor import reset_second_factor
from checklist.store.second_factor import end_other_sessions
from checklist.store.accounts import prune_login_failures
from checklist.store.accounts import set_identifier_key
from checklist.store.limits import SQLiteStorage
from checklist.store.limits import storage_uri
from checklist.store.limits import acquire_slot
from checklist.store.limits import release_slot
from checklist.store.actions import ACTION_STATUSES
from checklist.store.actions import ACTION_CLOSED_STATUSES
from checklist.store.actions import ACTIONABLE_RESULTS
from checklist.store.actions import ACTION_OWNER_SUGGESTIONS
from checklist.store.actions import NotActionable
from checklist.store.actions import create_action
from checklist.store.actions import get_action
from checklist.store.actions import location_open_actions
from checklist.store.actions import visit_actions
from checklist.store.actions import checklist_actions
from checklist.store.actions import report_actions
from checklist.store.actions import set_action_status
from checklist.store.actions import overdue_actions
from checklist.store.overview import heatmap
from checklist.store.overview import latest_results
from checklist.store.overview import type_averages
from checklist.store.overview import not_visited
from checklist.store.overview import location_trend
from checklist.store.calibration import AlreadyPaired
from checklist.store.calibration import visit_workers
from checklist.store.calibration import paired_visit_ids
from checklist.store.calibration import create_pair
from checklist.store.calibration import list_pairs
from checklist.store.calibration import get_pair
from checklist.store.calibration import visit_pair
from checklist.store.calibration import pairs_among
from checklist.store.calibration import complete_partners
from checklist.store.calibration import blind_visit_ids
from checklist.store.exports import EXPORT_BASE_COLUMNS
from checklist.store.exports import EXPORT_VISIT_COLUMNS
from checklist.store.exports import EXPORT_ANSWER_COLUMNS
from checklist.store.exports import export_domain_columns
from checklist.store.exports import export_domain_ids
from checklist.store.exports import export_visit_columns
from checklist.store.exports import export_visits
from checklist.store.exports import export_answers
from checklist.store.exports import export_row_count
from checklist.store.imports import Imported
from checklist.store.imports import imported_visits
from checklist.store.imports import read_import
from checklist.store.imports import import_submissions
from checklist.store.photos import TooManyPhotos
from checklist.store.photos import add_photo
from checklist.store.photos import visit_photos
from checklist.store.photos import photo_count
from checklist.store.photos import photo_with_key
from checklist.store.photos import get_photo
from checklist.store.photos import report_photos
from checklist.store.photos import delete_photo
from checklist.store.places import record_criteria_version
from checklist.store.places import criteria_for_hash
from checklist.store.places import find_criteria_versions
from checklist.store.places import stored_criteria
from checklist.store.places import list_organisations
from checklist.store.places import create_organisation
from checklist.store.places import organisation_id
from checklist.store.places import list_locations
from checklist.store.places import provinces_in_use
from checklist.store.places import operators_in_use
from checklist.store.places import form_locations
from checklist.store.places import get_location
from checklist.store.places import locations_named
from checklist.store.places import create_location
from checklist.store.places import update_location
from checklist.store.places import set_location_closed
from checklist.store.places import location_changes
from checklist.store.places import record_location_changes
from checklist.store.reports import period_summary
from checklist.store.reports import report_locations
from checklist.store.reports import type_domain_means
from checklist.store.reports import type_domain_means_on
from checklist.store.reports import most_failed_criteria
from checklist.store.reports import criterion_tallies
from checklist.store.reports import most_failed
from checklist.store.reports import red_flags_by_location
from checklist.store.reports import unassessed_by_location
from checklist.store.reports import evidence_counts
from checklist.store.reports import type_trends
from checklist.store.reports import domain_trends
from checklist.store.reports import period_pairs
from checklist.store.reports import voices_by_domain
from checklist.store.reports import criteria_versions_used
from checklist.store.reports import identifying_terms
from checklist.store.scores import write_scores
from checklist.store.scores import delete_scores
from checklist.store.scores import visits_without_scores
from checklist.store.scores import answer_results
from checklist.store.selection import visit_conditions
from checklist.store.selection import location_conditions
from checklist.store.selection import latest_visits_cte
from checklist.store.visits import location_visits
from checklist.store.visits import get_visit
from checklist.store.visits import is_draft
from checklist.store.visits import create_visit
from checklist.store.visits import update_visit_details
from checklist.store.visits import visit_answers
from checklist.store.visits import answer_values
from checklist.store.visits import Edit
from checklist.store.visits import SaveResult
from checklist.store.visits import save_answers
from checklist.store.visits import submit_visit
from checklist.store.visits import reopen_visit
from checklist.store.visits import visit_history
from checklist.store.visits import previous_submitted_visit
from checklist.store.visits import visit_voices
from checklist.store.visits import add_voice
from checklist.store.visits import TooManyStatements
from checklist.store.visits import delete_voice
from checklist.store.replies import NothingToSend
from checklist.store.replies import AlreadySent
from checklist.store.replies import operator_organisations
from checklist.store.replies import operator_organisation
from checklist.store.replies import create_operator
from checklist.store.replies import update_operator
from checklist.store.replies import operator_location_ids
from checklist.store.replies import operator_accounts
from checklist.store.replies import location_operator_emails
from checklist.store.replies import coordinator_emails
from checklist.store.replies import send_findings
from checklist.store.replies import get_send
from checklist.store.replies import visit_send
from checklist.store.replies import operator_sends
from checklist.store.replies import organisation_sends
from checklist.store.replies import may_read_send
from checklist.store.replies import send_findings_rows
from checklist.store.replies import visit_findings
from checklist.store.replies import location_findings
from checklist.store.replies import organisation_findings
from checklist.store.replies import operator_findings
from checklist.store.replies import add_replies
from checklist.store.replies import review_finding
from checklist.store.replies import get_finding
from checklist.store.replies import open_findings_before
from checklist.store.replies import record_rechecks
from checklist.store.replies import undo_rechecks
from checklist.store.replies import start_escalations
from checklist.store.replies import operator_escalations
from checklist.store.replies import organisation_escalations
from checklist.store.replies import get_escalation
from checklist.store.replies import answer_escalation
from checklist.store.replies import report_findings
from checklist.store.mail import queue_mail
from checklist.store.planning import planning_rows
from checklist.store.mail import claim_due
from checklist.store.mail import mark_sent
from checklist.store.mail import mark_failed
from checklist.store.mail import outbox_counts

__all__ = [
    "LOCATION_FIELDS",
    "VISIT_FIELDS",
    "AGE_BANDS",
    "VisitLocked",
    "Actor",
    "audit",
    "audit_event",
    "now",
    "list_audit",
    "get_meta",
    "set_meta",
    "counts",
    "get_user",
    "get_user_by_email",
    "list_users",
    "create_user",
    "update_user",
    "set_password",
    "set_system_admin",
    "create_session",
    "session_with_user",
    "touch_session",
    "delete_session",
    "record_login_failure",
    "login_failures_since",
    "clear_login_failures",
    "set_pending_secret",
    "enable_second_factor",
    "accept_totp_step",
    "unused_recovery_codes",
    "use_recovery_code",
    "replace_recovery_codes",
    "disable_second_factor",
    "reset_second_factor",
    "end_other_sessions",
    "prune_login_failures",
    "set_identifier_key",
    "SQLiteStorage",
    "storage_uri",
    "acquire_slot",
    "release_slot",
    "ACTION_STATUSES",
    "ACTION_CLOSED_STATUSES",
    "ACTIONABLE_RESULTS",
    "ACTION_OWNER_SUGGESTIONS",
    "NotActionable",
    "create_action",
    "get_action",
    "location_open_actions",
    "visit_actions",
    "checklist_actions",
    "report_actions",
    "set_action_status",
    "overdue_actions",
    "heatmap",
    "latest_results",
    "type_averages",
    "not_visited",
    "location_trend",
    "AlreadyPaired",
    "visit_workers",
    "paired_visit_ids",
    "create_pair",
    "list_pairs",
    "get_pair",
    "visit_pair",
    "pairs_among",
    "complete_partners",
    "blind_visit_ids",
    "EXPORT_BASE_COLUMNS",
    "EXPORT_VISIT_COLUMNS",
    "EXPORT_ANSWER_COLUMNS",
    "export_domain_columns",
    "export_domain_ids",
    "export_visit_columns",
    "export_visits",
    "export_answers",
    "export_row_count",
    "Imported",
    "imported_visits",
    "read_import",
    "import_submissions",
    "TooManyPhotos",
    "add_photo",
    "visit_photos",
    "photo_count",
    "photo_with_key",
    "get_photo",
    "report_photos",
    "delete_photo",
    "record_criteria_version",
    "criteria_for_hash",
    "find_criteria_versions",
    "stored_criteria",
    "list_organisations",
    "create_organisation",
    "organisation_id",
    "list_locations",
    "provinces_in_use",
    "operators_in_use",
    "form_locations",
    "get_location",
    "locations_named",
    "create_location",
    "update_location",
    "set_location_closed",
    "location_changes",
    "record_location_changes",
    "period_summary",
    "report_locations",
    "type_domain_means",
    "type_domain_means_on",
    "most_failed_criteria",
    "criterion_tallies",
    "most_failed",
    "red_flags_by_location",
    "unassessed_by_location",
    "evidence_counts",
    "type_trends",
    "domain_trends",
    "period_pairs",
    "voices_by_domain",
    "criteria_versions_used",
    "identifying_terms",
    "write_scores",
    "delete_scores",
    "visits_without_scores",
    "answer_results",
    "visit_conditions",
    "location_conditions",
    "latest_visits_cte",
    "location_visits",
    "get_visit",
    "is_draft",
    "create_visit",
    "update_visit_details",
    "visit_answers",
    "answer_values",
    "Edit",
    "SaveResult",
    "save_answers",
    "submit_visit",
    "reopen_visit",
    "visit_history",
    "previous_submitted_visit",
    "visit_voices",
    "add_voice",
    "TooManyStatements",
    "delete_voice",
    "NothingToSend",
    "AlreadySent",
    "operator_organisations",
    "operator_organisation",
    "create_operator",
    "update_operator",
    "operator_location_ids",
    "operator_accounts",
    "location_operator_emails",
    "coordinator_emails",
    "send_findings",
    "get_send",
    "visit_send",
    "operator_sends",
    "organisation_sends",
    "may_read_send",
    "send_findings_rows",
    "visit_findings",
    "location_findings",
    "organisation_findings",
    "operator_findings",
    "add_replies",
    "review_finding",
    "get_finding",
    "open_findings_before",
    "record_rechecks",
    "undo_rechecks",
    "start_escalations",
    "operator_escalations",
    "organisation_escalations",
    "get_escalation",
    "answer_escalation",
    "report_findings",
    "queue_mail",
    "planning_rows",
    "claim_due",
    "mark_sent",
    "mark_failed",
    "outbox_counts",
]
