"""Every stage of an open dispute in one table (PRODUCT.md §4a): who acts, which setting
gives their days, what their deadline does, whether it waits on the mediators, its words.

The model's choices, the deadlines, the actions and the worker, the badge, the next-step
card, the emails and the admin read ``STAGES``; adding a stage is one entry here, its
actions, and their rows in the action table test (docs/stages.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .parties import MEDIATOR, Party


class Stage(models.TextChoices):
    """Where an open dispute stands, and so who must act next."""

    WAITING_FOR_SELLER = "waiting_for_seller", _("Waiting for the seller")
    OFFER_WAITING_FOR_BUYER = "offer_waiting_for_buyer", _("Offer waiting for the buyer")
    WITH_MEDIATOR = "with_mediator", _("With a mediator")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    # A parcel that never arrived (PRODUCT.md §2a).
    NOT_RECEIVED_WAITING_FOR_SELLER = (
        "not_received_waiting_for_seller",
        _("Item not received: waiting for the seller"),
    )
    EXTENSION_WAITING_FOR_BUYER = (
        "extension_waiting_for_buyer",
        _("New delivery date waiting for the buyer"),
    )
    # Returning the item before the refund (PRODUCT.md §4e).
    RETURN_TO_SHIP = "return_to_ship", _("Return to ship")
    RETURN_ON_ITS_WAY = "return_on_its_way", _("Return on its way")


class EscalationReason(models.TextChoices):
    """Why a dispute reached the mediators: the timeline and the admin say it so."""

    NO_SELLER_ACCOUNT = "no_seller_account", _("The seller cannot answer in the app")
    SELLER_REFUSED = "seller_refused", _("The seller refused the request")
    SELLER_DID_NOT_ANSWER = "seller_did_not_answer", _("The seller did not answer in time")
    # A parcel that never arrived (PRODUCT.md §2a).
    SELLER_PROVED_DELIVERY = (
        "seller_proved_delivery",
        _("The seller says the parcel was delivered"),
    )
    BUYER_REFUSED_EXTENSION = (
        "buyer_refused_extension",
        _("The buyer refused the new delivery date"),
    )
    BUYER_DID_NOT_ANSWER_EXTENSION = (
        "buyer_did_not_answer_extension",
        _("The buyer did not answer the new delivery date in time"),
    )
    BUYER_REFUSED_OFFER = "buyer_refused_offer", _("The buyer refused the seller's offer")
    BUYER_DID_NOT_ANSWER = "buyer_did_not_answer", _("The buyer did not answer the offer in time")
    BUYER_ASKED = "buyer_asked", _("The buyer asked for mediation")
    BUYER_DID_NOT_SHIP_RETURN = (
        "buyer_did_not_ship_return",
        _("The buyer did not ship the return in time"),
    )
    SELLER_REPORTED_RETURN_PROBLEM = (
        "seller_reported_return_problem",
        _("The seller reported a problem with the returned item"),
    )


# The actor of a stage where a mediator chose whom to ask: ``information_requested_from``.
ASKED_PARTY = "asked_party"


@dataclass(frozen=True)
class Escalate:
    """When the deadline passes, the mediators take over, for ``reason``."""

    reason: EscalationReason


class OnDeadline(StrEnum):
    """What else happens by itself when a stage's deadline passes."""

    # The request lapses: back to the mediators, with the date they had before it.
    LAPSE = "lapse"
    # Nothing: the date is shown to the parties, never enforced.
    SHOWN_ONLY = "shown_only"
    # The refund is released: the seller's silence counts as the return received.
    REFUND = "refund"


@dataclass(frozen=True, kw_only=True)
class Told:
    """How a stage is told while ``actor`` must act. Sentences take ``%(date)s`` and
    ``%(left)s`` (the deadline, the time left); the queue's ``%(deadline)s``."""

    # (state, words) of the badge on the buyer's order card.
    badge: tuple[str, Promise]
    # The next-step card, to the party who must act, and what their silence does.
    to_actor: Promise | None = None
    if_silent: Promise | None = None
    reply_in_conversation: bool = False
    # The next-step card, to the other party; ``to_other_late`` once a shown date passed.
    to_other: Promise
    to_other_late: Promise | None = None
    # The emails, to the other party; and the mediators' queue (admin).
    in_email: Promise
    in_queue: Promise


@dataclass(frozen=True, kw_only=True)
class StageRule:
    """One stage: who acts, how long they have and what their deadline does."""

    # Party.SELLER, Party.BUYER, MEDIATOR, or ASKED_PARTY.
    acts: str
    # The setting that gives the stage's days (config/settings.py).
    days_setting: str
    on_deadline: Escalate | OnDeadline
    # In the mediators' queue: they may ask for information or decide.
    waits_on_mediators: bool
    # How it is told, by who acts (the party asked: either party).
    told: Mapping[str, Told]


WAITING_FOR_SELLER_BADGE = (
    "waiting_for_seller",
    pgettext_lazy("dispute badge", "Waiting for the seller"),
)
WAITING_FOR_YOU_BADGE = ("waiting_for_you", pgettext_lazy("dispute badge", "Waiting for you"))
SELLER_MUST_ANSWER = _(
    "The seller must answer by %(date)s; after that the dispute goes to the mediators."
)
BUYER_MUST_ANSWER = _("The buyer must answer by %(date)s.")
IF_SILENT_THE_REQUEST_LAPSES = _(
    "If you do not reply in time, the request lapses and the mediator decides with what they have."
)
ASKED_YOU = _(
    "A mediator asked you for information: reply in the conversation below by %(date)s (%(left)s)."
)

STAGES: Mapping[Stage, StageRule] = {
    Stage.WAITING_FOR_SELLER: StageRule(
        acts=Party.SELLER,
        days_setting="DISPUTE_SELLER_ANSWER_DAYS",
        on_deadline=Escalate(EscalationReason.SELLER_DID_NOT_ANSWER),
        waits_on_mediators=False,
        told={
            Party.SELLER: Told(
                badge=WAITING_FOR_SELLER_BADGE,
                to_actor=_("It is your turn: answer the buyer's request by %(date)s (%(left)s)."),
                if_silent=_("If you do not answer in time, the mediators take over and decide."),
                to_other=_(
                    "Waiting for the seller: they have until %(date)s (%(left)s); if they do "
                    "not answer, the mediators take over."
                ),
                in_email=SELLER_MUST_ANSWER,
                in_queue=_("Seller must answer by %(deadline)s"),
            ),
        },
    ),
    Stage.OFFER_WAITING_FOR_BUYER: StageRule(
        acts=Party.BUYER,
        days_setting="DISPUTE_OFFER_ANSWER_DAYS",
        on_deadline=Escalate(EscalationReason.BUYER_DID_NOT_ANSWER),
        waits_on_mediators=False,
        told={
            Party.BUYER: Told(
                badge=WAITING_FOR_YOU_BADGE,
                to_actor=_(
                    "It is your turn: accept the seller's offer or ask for mediation by "
                    "%(date)s (%(left)s)."
                ),
                if_silent=_(
                    "If you do not answer in time, the mediators take over: silence never "
                    "closes the dispute against you."
                ),
                to_other=_(
                    "Waiting for the buyer to answer your offer: they have until %(date)s "
                    "(%(left)s); if they do not answer, the mediators take over."
                ),
                in_email=BUYER_MUST_ANSWER,
                in_queue=_("Buyer must answer the offer by %(deadline)s"),
            ),
        },
    ),
    Stage.WITH_MEDIATOR: StageRule(
        acts=MEDIATOR,
        days_setting="DISPUTE_MEDIATOR_DECISION_DAYS",
        on_deadline=OnDeadline.SHOWN_ONLY,
        waits_on_mediators=True,
        told={
            MEDIATOR: Told(
                badge=("open", pgettext_lazy("dispute badge", "Dispute open")),
                to_other=_(
                    "With the mediators: a mediator reviews both sides and decides; a "
                    "decision is expected by %(date)s (%(left)s)."
                ),
                to_other_late=_(
                    "With the mediators: a mediator reviews both sides and decides; a "
                    "decision was expected by %(date)s."
                ),
                in_email=_(
                    "A mediator will review both sides; a decision is expected by %(date)s."
                ),
                in_queue=_("Decision expected by %(deadline)s"),
            ),
        },
    ),
    Stage.INFORMATION_REQUESTED: StageRule(
        acts=ASKED_PARTY,
        days_setting="DISPUTE_INFORMATION_DAYS",
        on_deadline=OnDeadline.LAPSE,
        waits_on_mediators=True,
        told={
            Party.SELLER: Told(
                badge=WAITING_FOR_SELLER_BADGE,
                to_actor=ASKED_YOU,
                if_silent=IF_SILENT_THE_REQUEST_LAPSES,
                reply_in_conversation=True,
                to_other=_(
                    "A mediator asked the seller for information: they have until %(date)s "
                    "(%(left)s). Then the mediator decides."
                ),
                in_email=SELLER_MUST_ANSWER,
                in_queue=_("Seller must reply by %(deadline)s"),
            ),
            Party.BUYER: Told(
                badge=WAITING_FOR_YOU_BADGE,
                to_actor=ASKED_YOU,
                if_silent=IF_SILENT_THE_REQUEST_LAPSES,
                reply_in_conversation=True,
                to_other=_(
                    "A mediator asked the buyer for information: they have until %(date)s "
                    "(%(left)s). Then the mediator decides."
                ),
                in_email=BUYER_MUST_ANSWER,
                in_queue=_("Buyer must reply by %(deadline)s"),
            ),
        },
    ),
    # Returning the item before the refund (PRODUCT.md §4e): the buyer ships it back, then
    # the seller confirms it arrived or reports a problem with it.
    Stage.RETURN_TO_SHIP: StageRule(
        acts=Party.BUYER,
        days_setting="DISPUTE_RETURN_SHIP_DAYS",
        on_deadline=Escalate(EscalationReason.BUYER_DID_NOT_SHIP_RETURN),
        waits_on_mediators=False,
        told={
            Party.BUYER: Told(
                badge=WAITING_FOR_YOU_BADGE,
                to_actor=_(
                    "It is your turn: send the item back to the return address below, then "
                    "enter the carrier and tracking number by %(date)s (%(left)s)."
                ),
                if_silent=_(
                    "If you do not ship it in time, the mediators take over: silence never "
                    "closes the dispute against you."
                ),
                to_other=_(
                    "Waiting for the buyer to ship the item back: they have until %(date)s "
                    "(%(left)s); if they do not, the mediators take over."
                ),
                in_email=_("The buyer must ship the item back by %(date)s."),
                in_queue=_("Buyer must ship the return by %(deadline)s"),
            ),
        },
    ),
    Stage.RETURN_ON_ITS_WAY: StageRule(
        acts=Party.SELLER,
        days_setting="DISPUTE_RETURN_RECEIVE_DAYS",
        on_deadline=OnDeadline.REFUND,
        waits_on_mediators=False,
        told={
            Party.SELLER: Told(
                badge=("return_on_its_way", pgettext_lazy("dispute badge", "Return on its way")),
                to_actor=_(
                    "It is your turn: confirm the return arrived, or report a problem with "
                    "the returned item, by %(date)s (%(left)s)."
                ),
                if_silent=_(
                    "If you do not answer in time, the refund is released: your silence "
                    "counts as the return received."
                ),
                to_other=_(
                    "The return is on its way: the seller has until %(date)s (%(left)s) to "
                    "confirm it arrived; if they do not answer, the refund is released."
                ),
                in_email=_(
                    "The seller must confirm the return by %(date)s; after that the refund "
                    "is released."
                ),
                in_queue=_("Seller must confirm the return by %(deadline)s"),
            ),
        },
    ),
    # A parcel that never arrived (PRODUCT.md §2a): the seller refunds, proves delivery or
    # moves the promised date once; the buyer accepts the new date or asks for mediation.
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: StageRule(
        acts=Party.SELLER,
        days_setting="DISPUTE_SELLER_ANSWER_DAYS",
        on_deadline=Escalate(EscalationReason.SELLER_DID_NOT_ANSWER),
        waits_on_mediators=False,
        told={
            Party.SELLER: Told(
                badge=WAITING_FOR_SELLER_BADGE,
                to_actor=_(
                    "It is your turn: the buyer has not received the parcel. Refund, show "
                    "proof of delivery or give a new delivery date by %(date)s (%(left)s)."
                ),
                if_silent=_("If you do not answer in time, the mediators take over and decide."),
                to_other=_(
                    "Waiting for the seller to refund, prove delivery or give a new delivery "
                    "date: they have until %(date)s (%(left)s); if they do not answer, the "
                    "mediators take over."
                ),
                in_email=SELLER_MUST_ANSWER,
                in_queue=_("Seller must answer the missing parcel by %(deadline)s"),
            ),
        },
    ),
    Stage.EXTENSION_WAITING_FOR_BUYER: StageRule(
        acts=Party.BUYER,
        days_setting="DISPUTE_OFFER_ANSWER_DAYS",
        on_deadline=Escalate(EscalationReason.BUYER_DID_NOT_ANSWER_EXTENSION),
        waits_on_mediators=False,
        told={
            Party.BUYER: Told(
                badge=WAITING_FOR_YOU_BADGE,
                to_actor=_(
                    "It is your turn: accept the seller's new delivery date or ask for "
                    "mediation by %(date)s (%(left)s)."
                ),
                if_silent=_(
                    "If you do not answer in time, the mediators take over: silence never "
                    "closes the dispute against you."
                ),
                to_other=_(
                    "Waiting for the buyer to answer your new delivery date: they have until "
                    "%(date)s (%(left)s); if they do not answer, the mediators take over."
                ),
                in_email=BUYER_MUST_ANSWER,
                in_queue=_("Buyer must answer the new delivery date by %(deadline)s"),
            ),
        },
    ),
}

# The stages where the seller answers the buyer's request (accept, or their other answers).
SELLER_ANSWER_STAGES = (Stage.WAITING_FOR_SELLER, Stage.NOT_RECEIVED_WAITING_FOR_SELLER)


def rule_of(stage: str) -> StageRule:
    """The rule of ``stage``, a dispute's stored value."""
    return STAGES[Stage(stage)]


def stages_acted_by(actor: str) -> tuple[Stage, ...]:
    """The stages in which ``actor`` acts (ASKED_PARTY: those where a mediator chose whom)."""
    return tuple(stage for stage, rule in STAGES.items() if rule.acts == actor)


# The stages in which a dispute waits on the mediators: their queue, and its filter's choices.
MEDIATOR_STAGES = tuple(stage for stage, rule in STAGES.items() if rule.waits_on_mediators)
MEDIATOR_STAGE_CHOICES = [(stage.value, stage.label) for stage in MEDIATOR_STAGES]
# The stages whose deadline acts by itself when it passes: the worker's.
EXPIRING_STAGES = tuple(
    stage for stage, rule in STAGES.items() if rule.on_deadline != OnDeadline.SHOWN_ONLY
)
