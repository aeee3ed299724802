"""``{{ dispute|display:"reason" }}``: a choice field's value in words, as
``get_reason_display`` gives it, without translating every choice of the field to find
one (``Model._get_FIELD_display`` hashes each lazy label, which translates it): in a list
of cards that was hundreds of translations a page."""

import functools

from django import template

register = template.Library()


@register.filter
def display(instance, field_name):
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return str(_labels(field).get(value, value))


@functools.cache
def _labels(field):
    return {value: label for value, label in field.flatchoices}
