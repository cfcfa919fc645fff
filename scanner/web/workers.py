"""The application as each of `lotwise serve --workers N` processes builds it.

One Python process runs on one core at a time, so under concurrent requests pages wait for
each other's CPU (issue 16: at 16 clients a page's median latency was about 16 times its CPU
time). With more than one worker, uvicorn starts them as fresh processes (spawn) that each
import the application from here: settings from the environment, as the parent read them,
and their own engine, connection pool and draft-check fork server (none of which may cross
a fork). Everything that must be shared between workers (sessions, sign-in delays, crawl
leases) is in the database."""

from __future__ import annotations

from fastapi import FastAPI

from scanner.settings import Settings
from scanner.web import isolation
from scanner.web.app import create_app

#: `uvicorn.run(APP_FACTORY, factory=True, workers=N)`.
APP_FACTORY = "scanner.web.workers:app_from_environment"


def app_from_environment() -> FastAPI:
    """The whole site over the settings of the environment (`LOTWISE_*`, config files)."""
    application = create_app(Settings())
    isolation.warm()
    return application
