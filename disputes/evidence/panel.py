"""What the evidence panel shows: the files so far, where new ones go, and the limits.

One context for every page that carries the panel: the wizard's evidence step, the
appeal form, the seller's refusal and the message form of a dispute's conversation.
Files go to the draft when there is one, else to the open dispute.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.formats import number_format
from django.utils.translation import ngettext

from disputes.models import Dispute, DisputeStatus
from disputes.parties import Party, party_of
from orders.models import Order

from . import recording, refusals
from .sizes import megabytes

TEMPLATE = "disputes/evidence/_panel.html"
# A primary key is a bigint; a longer number can be no row's, and past 4,300 digits
# ``int`` refuses it.
PK_MAX_DIGITS = 19


def posted_pk(value: str) -> int | None:
    """The primary key a panel's form posted (a file to remove, a dispute to add to), or
    None when the text can be no row's. ASCII digits only: "²" passes ``str.isdigit``,
    yet ``int`` refuses it."""
    if value.isascii() and value.isdigit() and len(value) <= PK_MAX_DIGITS:
        return int(value)
    return None


def panel_evidence(
    *, order: Order, uploader, dispute: Dispute | None = None, draft: str = ""
) -> list:
    """The files the panel lists, oldest first: those of the draft or the dispute.

    A draft that will reopen a cancelled dispute lists that dispute's files too. The
    uploader's files already sent to an open dispute count against a draft's limit but
    are not listed: they are shown on the dispute's page, and are not the draft's.
    """
    return _listed(_counted(order, uploader, dispute, draft), draft)


def _counted(order, uploader, dispute, draft) -> list:
    """The files counted against the limit, oldest first, in one query; each tells whether
    it is already in an open dispute (``sent``)."""
    counted = recording.counted_evidence(order, draft, dispute, uploader).annotate(
        sent=ExpressionWrapper(Q(dispute__status=DisputeStatus.OPEN), output_field=BooleanField())
    )
    return list(counted.order_by("uploaded_at", "pk"))


def _listed(counted: list, draft: str) -> list:
    return [item for item in counted if not (draft and item.sent)]


def panel_context(
    *,
    order: Order,
    uploader,
    dispute: Dispute | None = None,
    draft: str = "",
    refusals: Sequence = (),
    notes: Sequence[str] = (),
    next_url: str = "",
) -> dict:
    """The context of ``TEMPLATE`` for a draft (wizard, appeal) or an open dispute."""
    if bool(draft) == (dispute is not None):
        raise ValueError("The panel is for either a draft or a dispute.")
    target = {"order": order.number}
    target |= {"draft": draft} if draft else {"dispute": dispute.pk}
    counted = _counted(order, uploader, dispute, draft)
    return {
        # The advice differs: a buyer shows what arrived, a seller what was shipped.
        "for_buyer": party_of(uploader, order) == Party.BUYER,
        "evidence_list": _listed(counted, draft),
        "files_left": max(settings.EVIDENCE_MAX_FILES - len(counted), 0),
        "upload_target": target,
        "refusals": list(refusals),
        "notes": list(notes),
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
    photo_mb = megabytes(settings.EVIDENCE_PHOTO_MAX_BYTES, limit=True)
    video_mb = megabytes(settings.EVIDENCE_VIDEO_MAX_BYTES, limit=True)
    # The browser refuses an oversized file before sending it, with the server's own
    # sentence: {name} and {size} are filled in there (the server still checks).
    return {
        "photo_mb": photo_mb,
        "video_mb": video_mb,
        "video_duration": duration,
        "max_files": settings.EVIDENCE_MAX_FILES,
        "photo_max_bytes": settings.EVIDENCE_PHOTO_MAX_BYTES,
        "video_max_bytes": settings.EVIDENCE_VIDEO_MAX_BYTES,
        "photo_too_large": _in_browser(refusals.PHOTO_TOO_LARGE, photo_mb),
        "video_too_large": _in_browser(refusals.VIDEO_TOO_LARGE, video_mb),
        "decimal_separator": number_format(1.5, 1, use_l10n=True)[1],
    }


def _in_browser(template, limit):
    return str(template) % {"name": "{name}", "size": "{size}", "limit": limit}
