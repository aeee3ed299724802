"""Cache keys for page fragments that change whenever what they show changes.

A fragment (the order cards of a list, a dispute's conversation) is cached under a
digest of the rows it is rendered from: every field the query loaded, and the rows
fetched with them (``select_related``, ``prefetch_related``, and lists of rows a view
attached, such as a message's files). The page reads those rows anyway, so the key costs
no query; any change to a row gives a new key, so a change shows at once and nothing
needs to be invalidated. The reader, the language and the time zone go in the key too
(see the ``{% cache %}`` tags): a fragment says "You" to its reader, in their words and
their zone. A fragment must never show the current time (a time left): that is rendered
outside it, on every request.
"""

import hashlib
from collections.abc import Iterable
from functools import cache

from django.db.models import Model, QuerySet

# A cached fragment is rebuilt at least this often (seconds), and an unused one is dropped.
FRAGMENT_TIMEOUT = 3600


def fingerprint(*sources) -> str:
    """A digest of the rows in ``sources`` (instances, or lists and querysets of them)."""
    rows = []
    _collect(sources, rows, seen=set())
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()


@cache
def _columns(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def _collect(source, rows, seen):
    if isinstance(source, Model):
        _collect_row(source, rows, seen)
    elif isinstance(source, QuerySet | Iterable) and not isinstance(source, str | bytes):
        for item in source:
            _collect(item, rows, seen)
    elif source is not None:
        rows.append(source)


def _collect_row(row, rows, seen):
    if id(row) in seen:
        return
    seen.add(id(row))
    values = row.__dict__
    rows.append(row._meta.label)
    rows.extend([(name, values[name]) for name in _columns(type(row)) if name in values])
    for related in row._state.fields_cache.values():
        if related is not None:
            _collect_row(related, rows, seen)
    for prefetched in values.get("_prefetched_objects_cache", {}).values():
        for related in prefetched:
            _collect_row(related, rows, seen)
    # Rows a view attached to the instance (a message's files, a card's disputes).
    for value in values.values():
        if isinstance(value, list | tuple) and value and isinstance(value[0], Model):
            for related in value:
                _collect_row(related, rows, seen)
