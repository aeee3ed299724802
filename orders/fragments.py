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

from django.db.models import Model, QuerySet

# A cached fragment is rebuilt at least this often (seconds), and an unused one is dropped.
FRAGMENT_TIMEOUT = 3600


def fingerprint(*sources) -> str:
    """A digest of the rows in ``sources`` (instances, or lists and querysets of them)."""
    digest = hashlib.blake2b(digest_size=16)
    for row in _rows(sources, seen=set()):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _rows(source, seen):
    if isinstance(source, Model):
        if id(source) in seen:
            return
        seen.add(id(source))
        values = source.__dict__
        yield (
            source._meta.label,
            [
                (f.attname, values[f.attname])
                for f in source._meta.concrete_fields
                if f.attname in values
            ],
        )
        yield from _rows(list(source._state.fields_cache.values()), seen)
        for relation in values.get("_prefetched_objects_cache", {}).values():
            yield from _rows(relation, seen)
        # Rows a view attached to the instance (a message's files).
        for value in values.values():
            if isinstance(value, list | tuple) and value and isinstance(value[0], Model):
                yield from _rows(value, seen)
    elif isinstance(source, QuerySet | Iterable) and not isinstance(source, str | bytes):
        for item in source:
            yield from _rows(item, seen)
    elif source is not None:
        yield source
