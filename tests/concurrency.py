"""Run one action from several threads at the same moment, each on its own connection."""

import threading

import pytest
from django.db import connection, connections

# Races need real concurrent connections: SQLite serialises every writer.
POSTGRES_ONLY = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
    ),
]


def run_at_once(action, *, times=2, expected=Exception):
    """Call ``action()`` from ``times`` threads released together; return what each call
    returned or raised (an ``expected`` exception), in the order they finished."""
    start = threading.Barrier(times)
    outcomes = []

    def run():
        try:
            start.wait()
            outcomes.append(action())
        except expected as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
