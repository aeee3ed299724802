"""manage.py in a fresh process, configured only by the environment, as `make run` or a
deployment starts it (the test process's own settings and test database play no part)."""

import os
import subprocess
import sys

from django.conf import settings


def run_manage(*args, **env):
    """Run ``manage.py *args`` with ``env`` in place of the DJANGO_* and DATABASE_URL
    variables of this environment; return the finished process, failed or not."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args, **env):
    """Run ``manage.py *args`` as ``run_manage`` does; return its standard output, failing
    if it failed."""
    result = run_manage(*args, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def shell(code, **env):
    """Run Python ``code`` in ``manage.py shell``; return what it printed."""
    return manage("shell", "-v", "0", "-c", code, **env)
