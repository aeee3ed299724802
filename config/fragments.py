"""Versioned ``{% cache %}`` fragments: keys that change whenever what a fragment shows
changes, so nothing needs invalidating.

A fragment's key holds a digest of the rows it is rendered from (``fingerprint``), read
through the models' public ``_meta`` API: the values of the fields the query loaded.
The caller names every row the fragment shows, related rows included (an order's seller,
a message's files): the page reads them anyway, so the key costs no query. The reader, the
language and the time zone go in the key too (see the ``{% cache %}`` tags): a fragment
says "You" to its reader, in their words and their zone. A fragment must never show the
current time (a time left): that is rendered outside it, on every request.

Also the template library ``fragments`` (``TEMPLATES`` in settings): ``{{ rows|fingerprint }}``
and ``{% fragment_timeout %}``.
"""

import hashlib
from collections.abc import Iterable, Iterator

from django import template
from django.db.models import Model

# A cached fragment is rebuilt at least this often (seconds), and an unused one is dropped.
FRAGMENT_TIMEOUT = 3600

register = template.Library()


def fingerprint(*sources: object) -> str:
    """A digest of ``sources``: a model instance stands for the values of its loaded
    fields, a list or queryset for its items, anything else for itself."""
    values = list(_values(sources))
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def row_values(row: Model) -> tuple[object, ...]:
    """The model's label and the values of the fields ``row`` was read with (deferred
    ones are left out: reading them would cost a query)."""
    deferred = row.get_deferred_fields()
    loaded = (field for field in row._meta.concrete_fields if field.attname not in deferred)
    return (row._meta.label, *(field.value_from_object(row) for field in loaded))


def _values(source: object) -> Iterator[object]:
    if isinstance(source, Model):
        yield row_values(source)
    elif isinstance(source, Iterable) and not isinstance(source, str | bytes):
        for item in source:
            yield from _values(item)
    else:
        yield source


@register.filter(name="fingerprint")
def fingerprint_filter(rows: object, more: object = None) -> str:
    return fingerprint(rows, more)


@register.simple_tag
def fragment_timeout() -> int:
    return FRAGMENT_TIMEOUT
