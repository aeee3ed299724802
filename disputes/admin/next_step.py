"""Who acts next on a dispute, and by when, as the queue and a dispute's page say it."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from disputes import deadlines
from disputes.models import Dispute
from disputes.stages import MEDIATOR_STAGES


def waits_on_mediators(dispute: Dispute) -> bool:
    """Escalated and still open: a mediator may ask for information or decide."""
    return dispute.is_open and dispute.stage in MEDIATOR_STAGES


def is_overdue(dispute: Dispute, now: datetime) -> bool:
    """Open, and the date its stage expected an answer or a decision by has passed."""
    deadline = deadlines.next_step(dispute).deadline
    return deadline is not None and deadline < now


def next_step_in_words(dispute: Dispute, now: datetime) -> str:
    """Who acts next and by when ("Seller must reply by <date>"), marked once the date has
    passed; the dispute's status once nobody has anything left to do."""
    step = deadlines.next_step(dispute)
    if step.told is None or step.deadline is None:
        return dispute.get_status_display()
    deadline = date_format(timezone.localtime(step.deadline), "DATETIME_FORMAT")
    sentence: str = step.told.in_queue % {"deadline": deadline}
    if is_overdue(dispute, now):
        return _("%(next_step)s (overdue)") % {"next_step": sentence}
    return sentence
