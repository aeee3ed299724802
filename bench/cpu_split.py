"""Where the machine's CPU goes while wrk loads a page: the app (gunicorn's processes),
PostgreSQL, Redis, wrk itself, and everything else on the machine.

Under load the cores that run the app also run the database, the cache and the load
generator, and a page with more queries or cache reads makes them work more. This splits
the CPU time of a run between them, per request, from Linux's ``/proc`` (user and system
time of every process), read before and after the run and compared process by process:
one that ended in between is left out (its time since the first reading is not known),
one that started in between counts whole. wrk ends within the run, so its time is read
from the resources of this process's reaped children instead. Elsewhere than on Linux
there is no split (``None``).
"""

import os
import resource
from collections import Counter
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PROGRAMS = {"postgres": "postgres", "redis-server": "redis"}  # command name: group
GROUPS = ("app", "postgres", "redis", "wrk", "other")
WRK = ("wrk", 0)


def snapshot(app_pid):
    """CPU seconds used so far by each process, keyed by (pid, start time) so that a pid
    used again is another process, with its group; wrk's are this process's reaped
    children's."""
    if not PROC.is_dir():
        return None
    used = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:  # ended since the listing
            continue
        # The command is in parentheses and may hold anything, parentheses included.
        command = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode(errors="replace")
        fields = stat[stat.rindex(b")") + 2 :].split()
        pid, parent, started = int(entry.name), int(fields[1]), int(fields[19])
        seconds = (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND
        group = "app" if app_pid in (pid, parent) else PROGRAMS.get(command, "other")
        used[(pid, started)] = (group, seconds)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used[WRK] = ("wrk", children.ru_utime + children.ru_stime)
    return used


def per_request(before, after, requests, elapsed_seconds):
    """Milliseconds of CPU per request of each group between two snapshots, and the share
    of the machine's cores that was busy."""
    if before is None or after is None or not requests:
        return None
    spent = Counter(dict.fromkeys(GROUPS, 0.0))
    for process, (group, seconds) in after.items():
        spent[group] += seconds - before.get(process, (group, 0.0))[1]
    capacity = (os.cpu_count() or 1) * elapsed_seconds
    return {
        **{f"{group}_ms": round(1000 * spent[group] / requests, 3) for group in GROUPS},
        "busy": round(sum(spent.values()) / capacity, 3),
    }


def server_cpu(connection):
    """The PostgreSQL server process answering ``connection`` (Django's) and the CPU
    nanoseconds it has used so far, from Linux's scheduler statistics: finer than the
    ticks of ``snapshot``, for one request's share. ``None`` for the nanoseconds where they
    cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        return pid, int((PROC / str(pid) / "schedstat").read_text().split()[0])
    except OSError:
        return pid, None


def server_ms_per_request(before, after, requests):
    """Milliseconds of the server's CPU per request between two ``server_cpu`` readings:
    ``None`` unless the same server process answered both (the connection was kept) and
    both could be read."""
    (pid, used_before), (pid_after, used_after) = before, after
    if pid != pid_after or None in (used_before, used_after):
        return None
    return (used_after - used_before) / requests / 1e6
