"""The settings bench/run.py serves the app with: the environment's (production, under
the bench), plus the benchmark's own pages and its switch for prepared statements. Never
used outside the benchmark."""

import os

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]

# To measure PostgreSQL's prepared statements, which production leaves off (docs/
# benchmark.md, eighth round): the parameters sent apart from the SQL, and a statement
# prepared, its plan kept by the connection, once it has run this many times.
if prepare_threshold := os.environ.get("BENCH_PREPARE_THRESHOLD"):
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "OPTIONS": {
                **DATABASES["default"].get("OPTIONS", {}),
                "server_side_binding": True,
                "prepare_threshold": int(prepare_threshold),
            },
        }
    }
