"""``{{ rows|fingerprint }}``: the part of a ``{% cache %}`` key that changes with the rows
a fragment shows (``orders.fragments``)."""

from django import template

from orders import fragments

register = template.Library()


@register.filter
def fingerprint(rows, more=None):
    return fragments.fingerprint(rows, more)


@register.simple_tag
def fragment_timeout():
    return fragments.FRAGMENT_TIMEOUT
