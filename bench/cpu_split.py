"""Where the machine's CPU goes while wrk loads a page: the app (gunicorn's processes),
PostgreSQL, Redis, wrk itself, and everything else on the machine.

callgrind counts the app's instructions alone; under load the same cores also run the
database, the cache and the load generator, and a page with more queries or cache reads
makes them work more. This splits the CPU time of a run between them, per request, from
Linux's ``/proc`` (user and system time of every process), read before and after the run.
wrk ends within the run, so its time is read from the resources of this process's reaped
children instead. Elsewhere than on Linux there is no split (``None``).
"""

import os
import resource
from collections import Counter
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROGRAMS = {"postgres": "postgres", "redis-server": "redis"}  # command name: group
GROUPS = ("app", "postgres", "redis", "wrk", "other")


def snapshot(app_pid):
    """CPU seconds used so far by each group (wrk: by this process's reaped children)."""
    if not PROC.is_dir():
        return None
    used = Counter()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended since the listing
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent = int(entry.name), int(fields[1])
        user_ticks, system_ticks = int(fields[11]), int(fields[12])
        group = "app" if app_pid in (pid, parent) else PROGRAMS.get(command, "other")
        used[group] += (user_ticks + system_ticks) / TICKS_PER_SECOND
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["wrk"] = children.ru_utime + children.ru_stime
    return used


def per_request(before, after, requests, elapsed_seconds):
    """Milliseconds of CPU per request of each group between two snapshots, and the share
    of the machine's cores that was busy."""
    if before is None or after is None or not requests:
        return None
    spent = {group: max(after[group] - before[group], 0.0) for group in GROUPS}
    capacity = (os.cpu_count() or 1) * elapsed_seconds
    return {
        **{f"{group}_ms": round(1000 * spent[group] / requests, 3) for group in GROUPS},
        "busy": round(sum(spent.values()) / capacity, 3),
    }
