"""Where sessions are read from: the shared cache when there is one, else the database."""

import os
import subprocess
import sys

from django.conf import settings

PRINT_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


def session_engine(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "CACHE_URL"
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT_ENGINE],
        cwd=settings.BASE_DIR,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_with_a_shared_cache_sessions_are_read_from_it():
    engine = session_engine(CACHE_URL="redis://127.0.0.1:6379/15")
    assert engine == "django.contrib.sessions.backends.cached_db"


def test_with_a_cache_per_process_sessions_are_read_from_the_database():
    # A session ended in one process would live on in another process's copy.
    assert session_engine() == "django.contrib.sessions.backends.db"
