"""What other apps show on an order's card in the orders lists, fetched with the list.

Orders know nothing of those apps. An app that adds to the card (the disputes app, its
badge) registers, in its ``AppConfig.ready()``, the relations its template tag reads; the
lists prefetch every one of them (``OrderQuerySet.for_cards``), so a card costs no query
of its own however many orders a page holds.
"""

from django.db.models import Prefetch

_prefetches: list[str | Prefetch] = []


def prefetch_for_cards(*lookups: str | Prefetch) -> None:
    """Fetch ``lookups`` (as ``prefetch_related`` takes them) with every orders list."""
    _prefetches.extend(lookup for lookup in lookups if lookup not in _prefetches)


def card_prefetches() -> tuple[str | Prefetch, ...]:
    return tuple(_prefetches)
