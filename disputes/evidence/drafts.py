"""Draft keys: evidence uploaded before a form is submitted (the wizard, an appeal, a seller's
refusal, a message) belongs to a key that this person's session was issued for that one
form of that one order, so no one can park files under a key of their own, nor gather
under one key files for several orders.

Which evidence is a draft is the model's to say (``Evidence.is_draft``,
``Evidence.objects.drafts()``); this module issues and recognises keys, and says whether
the form of a key can still be sent, by that form's own rule.
"""

import secrets
from dataclasses import asdict, dataclass

from django.contrib.sessions.backends.base import SessionBase

from disputes.eligibility import appeal_refusal, dispute_eligibility
from disputes.models import Dispute
from disputes.parties import party_of
from orders.models import Order

SESSION_KEY = "evidence_drafts"
# Enough for every form with evidence a person has open at once.
KEPT_PER_SESSION = 50

# The forms that send evidence.
WIZARD = "wizard"  # opens a dispute, or reopens the cancelled ``dispute``
MESSAGE = "message"
APPEAL = "appeal"
REFUSAL = "refusal"  # the seller's
RETURN_RECEIPT = "return_receipt"  # the buyer's, with the return's tracking
RETURN_PROBLEM = "return_problem"  # the seller's, about the returned item


@dataclass(frozen=True)
class DraftForm:
    """What a draft key was issued for: one form, about one order (and its dispute)."""

    form: str
    order: int
    dispute: int | None = None

    @classmethod
    def of(cls, form: str, order: Order, dispute: Dispute | None = None) -> "DraftForm":
        return cls(form, order.pk, dispute.pk if dispute else None)


def issue_draft_key(session: SessionBase, draft_form: DraftForm) -> str:
    key = secrets.token_urlsafe(24)
    issued = _issued(session)
    kept = list(issued.items())[-(KEPT_PER_SESSION - 1) :]
    session[SESSION_KEY] = dict(kept) | {key: asdict(draft_form)}
    return key


def issued_form(session: SessionBase, key: str) -> DraftForm | None:
    """The form ``key`` was issued for in this session, or None when it was not."""
    issued = _issued(session).get(key) if key else None
    return DraftForm(**issued) if issued else None


def _issued(session: SessionBase) -> dict:
    issued = session.get(SESSION_KEY, {})
    return issued if isinstance(issued, dict) else {}


def form_draft_key(session: SessionBase, form_name: str, draft_form: DraftForm) -> str:
    """The draft key of one form (``form_name``, e.g. "message_draft_12"), kept in the
    session until the form is sent; issued anew once the session no longer recognises it."""
    key = session.get(form_name, "")
    if issued_form(session, key) != draft_form:
        key = session[form_name] = issue_draft_key(session, draft_form)
    return key


def takes_evidence(draft_form: DraftForm, user, *, now) -> bool:
    """Whether ``user`` may still send the form of a draft, so files for it are worth
    keeping: each form by the rule its own view and action apply."""
    order = Order.objects.filter(pk=draft_form.order).first()
    dispute = Dispute.objects.select_related("order__seller").filter(pk=draft_form.dispute).first()
    if order is None or (draft_form.dispute is not None and dispute is None):
        return False
    if draft_form.form == WIZARD:
        eligibility = dispute_eligibility(order, order.disputes.all(), now=now)
        return eligibility.allows_wizard(dispute)
    if draft_form.form == MESSAGE:
        return dispute.is_open
    if draft_form.form == APPEAL:
        party = party_of(user, dispute.order)
        return party is not None and appeal_refusal(dispute, party, now=now) is None
    if draft_form.form == REFUSAL:
        return dispute.waits_for_answer_of(user)
    if draft_form.form == RETURN_RECEIPT:
        return dispute.return_to_ship_by(user)
    if draft_form.form == RETURN_PROBLEM:
        return dispute.return_on_its_way_to(user)
    return False
