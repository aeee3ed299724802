"""Readiness: whether this process can serve requests now, for a load balancer or an
orchestrator to send it traffic or hold it back.

``/healthz`` stays the liveness floor and touches nothing: a database outage must not make
every app server look dead and be restarted. ``/readyz`` touches what every page needs:
each database (``SELECT 1``) and the evidence storage (a listing of its root: on the file
system it fails when the folder is unreadable or not a folder, on S3 it is one LIST request
that checks the network, the credentials and the bucket), and the shared cache only when
``CACHE_REQUIRED`` says so: without it pages are served from the database.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config.cache import SharedClientRedisCache

logger = logging.getLogger(__name__)


def _database_answers(alias):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Not ready: the database %r does not answer", alias)
        return False
    return True


def _evidence_storage_answers():
    try:
        storages["evidence"].listdir("")
    except FileNotFoundError:
        # Nothing stored yet (a new server): the storage makes its folder on the first write.
        return True
    except Exception:  # each backend fails its own way: OSError, botocore's errors, ...
        logger.exception("Not ready: the evidence storage cannot be listed")
        return False
    return True


def _cache_answers():
    # A cache in the process's own memory cannot be down.
    cache = caches["default"]
    return not isinstance(cache, SharedClientRedisCache) or cache.answers()


def checks() -> dict[str, bool]:
    """What this process needs, by name, and whether each answers now (also a metric,
    ``disputes_ready``)."""
    answers = {f"database {alias}": _database_answers(alias) for alias in connections}
    answers["evidence storage"] = _evidence_storage_answers()
    if settings.CACHE_REQUIRED:
        answers["cache"] = _cache_answers()
    return answers


@never_cache
def readiness(request):
    """200 when ready; 503 naming what failed (details go to the log, not to the caller)."""
    failed = [name for name, answers in checks().items() if not answers]
    return JsonResponse({"ready": not failed, "failed": failed}, status=503 if failed else 200)
