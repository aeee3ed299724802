"""SQLite as `make run` uses it (a threaded server and a worker beside it): parallel writes
wait their turn instead of failing with "database is locked".

Run in fresh processes on a database file, configured by config/settings.py from a
``sqlite:`` DATABASE_URL exactly as `make run` is (the test database is in memory)."""

import json

from tests.processes import manage, shell

WRITERS = 10

# Ten threads released together, each one transaction that reads and then writes, as an
# action does (it reads the dispute, then saves it and its event).
PARALLEL_WRITES = f"""
import json, threading, time
from django.db import connections, transaction
from orders.models import Seller

start = threading.Barrier({WRITERS})
failures = []

def write(number):
    try:
        start.wait()
        with transaction.atomic():
            Seller.objects.count()
            time.sleep(0.05)
            Seller.objects.create(name=f"Seller {{number}}")
    except Exception as error:
        failures.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(n,)) for n in range({WRITERS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({{"failures": failures, "sellers": Seller.objects.count()}}))
"""


def test_ten_parallel_writes_to_a_sqlite_file_all_succeed(tmp_path):
    database = tmp_path / "db.sqlite3"
    url = f"sqlite:///{database}"
    manage("migrate", "--no-input", "-v", "0", DATABASE_URL=url)

    outcome = json.loads(shell(PARALLEL_WRITES, DATABASE_URL=url))

    assert outcome == {"failures": [], "sellers": WRITERS}
