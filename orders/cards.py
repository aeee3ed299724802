"""What other apps show on an order's card in the orders lists, fetched with the list.

Orders know nothing of those apps. An app that adds to the card (the disputes app, its
badge) registers, in its ``AppConfig.ready()``, the relations its template tag reads; the
lists prefetch every one of them (``OrderQuerySet.for_cards``), so a card costs no query
of its own however many orders a page holds, and the cards' cache key reads them too
(``card_rows``).
"""

from collections.abc import Iterable, Iterator

from django.db.models import Model, Prefetch

_prefetches: list[Prefetch] = []


def prefetch_for_cards(*lookups: Prefetch) -> None:
    """Fetch ``lookups`` with every orders list, each into the list its ``to_attr`` names."""
    _prefetches.extend(lookup for lookup in lookups if lookup not in _prefetches)


def card_prefetches() -> tuple[Prefetch, ...]:
    return tuple(_prefetches)


def card_rows(orders: Iterable[Model]) -> Iterator[Model | list[Model]]:
    """Every row the cards of ``orders`` show: each order, its seller, and what other apps
    fetched for its card (the part of the cards' cache key that changes with them)."""
    for order in orders:
        yield order
        yield order.seller
        for lookup in _prefetches:
            yield getattr(order, lookup.to_attr)
