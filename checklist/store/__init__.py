"""All data access: named reads and writes over sqlite-utils. Views never hold SQL.

Reads return plain dicts. Writes that depend on what is stored (a visit must still be a
draft, a revision counter goes up) run under BEGIN IMMEDIATE through `db.immediate`, and
write their audit row in the same transaction. Callers use `store.<function>`; the
modules below only split the work by subject.
"""

from checklist.store.accounts import *  # noqa: F401,F403
from checklist.store.actions import *  # noqa: F401,F403
from checklist.store.base import *  # noqa: F401,F403
from checklist.store.overview import *  # noqa: F401,F403
from checklist.store.exports import *  # noqa: F401,F403
from checklist.store.places import *  # noqa: F401,F403
from checklist.store.reports import *  # noqa: F401,F403
from checklist.store.scores import *  # noqa: F401,F403
from checklist.store.visits import *  # noqa: F401,F403
