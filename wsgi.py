"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import sys

from checklist import ConfigError
from checklist import create_app
from checklist.core.criteria import CriteriaError

try:
    app = create_app()
except CriteriaError as err:
    print(f"The criteria file is invalid, the app cannot start:\n{err}", file=sys.stderr)
    raise SystemExit(1) from None
except ConfigError as err:
    print(f"The app cannot start: {err}", file=sys.stderr)
    raise SystemExit(1) from None
