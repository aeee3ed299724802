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
        if id(source) in seen:
            return
        seen.add(id(source))
        values = source.__dict__
        rows.append(source._meta.label)
        rows.extend([(name, values[name]) for name in _columns(type(source)) if name in values])
        _collect(source._state.fields_cache.values(), rows, seen)
        _collect(values.get("_prefetched_objects_cache", {}).values(), rows, seen)
        # Rows a view attached to the instance (a message's files, a card's disputes).
        for value in values.values():
            if isinstance(value, list | tuple) and value and isinstance(value[0], Model):
                _collect(value, rows, seen)
    elif isinstance(source, QuerySet | Iterable) and not isinstance(source, str | bytes):
        for item in source:
            _collect(item, rows, seen)
    elif source is not None:
        rows.append(source)
