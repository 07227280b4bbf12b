"""The app as gunicorn serves it, plus two bare routes as the baselines for page timings.

Configured through environment variables set by `bench/__main__.py`.
"""

from checklist.views import auth
from checklist import create_app

app = create_app()


@app.get("/bench/bare")
def bare():
    """A route that does nothing: the floor any page is measured against.

    It is public and asked without a session cookie, so no user is looked up for it."""
    return "ok"


auth.PUBLIC_ENDPOINTS.add("bare")


@app.get("/bench/signed-in")
def signed_in():
    """A route behind the login that does nothing else: the floor of a signed-in page (the
    session cookie, the session's row and user looked up, the headers), asked with the
    session cookie of the benchmark's user."""
    return "ok"
