"""Gunicorn settings for `fuwu serve`: its error and access logs pass through the PII filter too."""

from __future__ import annotations

from gunicorn.glogging import CONFIG_DEFAULTS

from fuwu.core.paths import data_dir

_defaults = CONFIG_DEFAULTS["loggers"]

# Logger-level filters apply to every record, whichever handler gunicorn attaches later.
# propagate=False: gunicorn's loggers have their own handlers, and the root logger has one too (gunicorn's
# default "console", then Django's LOGGING in each worker); propagating printed every line twice.
logconfig_dict = {
    "filters": {"pii": {"()": "fuwu.core.pii.PiiLogFilter"}},
    "loggers": {
        "gunicorn.error": {**_defaults["gunicorn.error"], "filters": ["pii"], "propagate": False},
        "gunicorn.access": {**_defaults["gunicorn.access"], "filters": ["pii"], "propagate": False},
    },
}

# Kiosks, counter terminals and display boards hold one connection all day; gunicorn's 2 s default makes
# them reconnect between most calls (and a write racing the close fails with a broken pipe).
keepalive = 30

# gunicorn's default control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two instances
# on one host (a demo beside a test server, two data dirs) fight over it. One per data dir instead.
control_socket = str(data_dir() / "gunicorn.ctl")
