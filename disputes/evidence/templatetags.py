"""Template tags of the evidence panel, loaded as ``{% load evidence %}``.

Registered under that name in ``settings.TEMPLATES`` (``OPTIONS["libraries"]``), so the
library lives with the rest of the evidence package.
"""

from django import template

from . import panel, sizes

register = template.Library()


@register.inclusion_tag(panel.TEMPLATE, takes_context=True)
def evidence_panel(
    context, order, *, dispute=None, draft="", refusals=(), next_url="", remove_action=""
):
    """The panel for ``order``'s draft or open dispute; no-JavaScript forms return to
    ``next_url``, by default the page it is on (give it when that page answers a POST).

    ``remove_action``: where a no-JavaScript Remove posts the page's form, when the page
    handles removals itself to keep what was typed (the wizard).
    """
    request = context["request"]
    return panel.panel_context(
        order=order,
        uploader=request.user,
        dispute=dispute,
        draft=draft,
        refusals=refusals,
        next_url=next_url or request.get_full_path(),
    ) | {"remove_action": remove_action}


@register.filter
def megabytes(size):
    """Bytes as decimal megabytes, the unit the limits use: "23.4", "100"."""
    return sizes.megabytes(size)
