"""What the evidence panel shows: the files so far, where new ones go, and the limits.

One context for every page that carries the panel: the wizard's evidence step, the
dispute page ("Add evidence") and the appeal form. Files go to the draft when there is
one, else to the open dispute.
"""

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import ngettext

from disputes.models import Dispute
from orders.models import Order

from . import recording
from .sizes import megabytes

TEMPLATE = "disputes/evidence/_panel.html"


def panel_evidence(*, order: Order, dispute: Dispute | None = None, draft: str = "") -> list:
    """The files the panel lists: those that count against its limit, oldest first.

    A draft that will reopen a cancelled dispute lists that dispute's files too.
    """
    return list(recording.counted_evidence(order, draft, dispute).order_by("uploaded_at", "pk"))


def panel_context(
    *,
    order: Order,
    dispute: Dispute | None = None,
    draft: str = "",
    refusals: Sequence = (),
    next_url: str = "",
) -> dict:
    """The context of ``TEMPLATE`` for a draft (wizard, appeal) or an open dispute."""
    if bool(draft) == (dispute is not None):
        raise ValueError("The panel is for either a draft or a dispute.")
    target = {"order": order.number}
    target |= {"draft": draft} if draft else {"dispute": dispute.pk}
    return {
        "evidence_list": panel_evidence(order=order, dispute=dispute, draft=draft),
        "upload_target": target,
        "refusals": list(refusals),
        "limits": limits(),
        "next": next_url,
    }


def limits() -> dict:
    """The limits of PRODUCT.md §6 in the buyer's words: megabytes, duration, file count."""
    seconds = settings.EVIDENCE_VIDEO_MAX_SECONDS
    if seconds % 60 == 0:
        minutes = seconds // 60
        duration = ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    else:
        duration = ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    return {
        "photo_mb": megabytes(settings.EVIDENCE_PHOTO_MAX_BYTES, limit=True),
        "video_mb": megabytes(settings.EVIDENCE_VIDEO_MAX_BYTES, limit=True),
        "video_duration": duration,
        "max_files": settings.EVIDENCE_MAX_FILES,
    }
