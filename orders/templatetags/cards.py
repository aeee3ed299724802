"""``{{ orders|card_rows|fingerprint }}``: the cards' cache key (``orders.cards``)."""

from django import template

from orders import cards

register = template.Library()

register.filter("card_rows", cards.card_rows)
