"""``{{ dispute|display:"reason" }}``: a choice field's value in words, as
``get_reason_display`` gives it, without translating every choice of the field to find
one (``Model._get_FIELD_display`` hashes each lazy label, which translates it): in a list
of cards that was hundreds of translations a page."""

import functools

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def display(instance, field_name):
    attname, labels = _choices(type(instance), field_name, get_language())
    value = getattr(instance, attname)
    return str(labels.get(value, value))


@functools.cache
def _choices(model, field_name, language):
    # Translated once per field and language (the active one, which the labels are in): a
    # list shows the same few labels on each of its cards, and translating them on every
    # card cost the seller's list more than its queries' rows.
    field = model._meta.get_field(field_name)
    return field.attname, {value: str(label) for value, label in field.flatchoices}
