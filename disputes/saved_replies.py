"""Saved replies filled for one dispute: each placeholder (``{order_number}``, an amount,
a deadline) written in the language and time zone of the person who reads the reply.

A reply to one party is in that party's language (the buyer's: the dispute's; the
seller's: the one they last used); a reply to both is in each language they use, one
after the other when they differ. Pure apart from reading the dispute's order and parties.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.middleware import time_zone_of
from accounts.models import User
from orders.money import format_money

from . import deadlines
from .models import Dispute, SavedReply
from .parties import MEDIATOR, Party
from .stages import Stage

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _money(
    amount_of: Callable[[Dispute], Decimal | None],
) -> Callable[[Dispute, datetime], str]:
    def written(dispute: Dispute, now: datetime) -> str:
        amount = amount_of(dispute)
        return format_money(amount, dispute.order.currency) if amount is not None else ""

    return written


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# Each placeholder, what it says (for the mediators' help text), and how it is written.
PLACEHOLDERS: dict[str, tuple[object, Callable[[Dispute, datetime], str]]] = {
    "order_number": (_("the order's number"), lambda dispute, now: dispute.order.number),
    "item": (_("the item"), lambda dispute, now: dispute.order.item),
    "price": (_("the price paid"), _money(lambda dispute: dispute.order.price)),
    "requested_amount": (
        _("the refund the buyer asks for"),
        _money(lambda dispute: dispute.requested_amount or dispute.order.price),
    ),
    "offer_amount": (_("the seller's offer"), _money(lambda dispute: dispute.offer_amount)),
    "deadline": (
        _("the deadline of whoever acts next"),
        lambda dispute, now: _moment(deadlines.next_step(dispute).deadline),
    ),
    "reply_by": (
        _("the date a party asked for information now must reply by"),
        lambda dispute, now: _moment(deadlines.stage_deadline(Stage.INFORMATION_REQUESTED, now)),
    ),
}


def check_placeholders(text: str) -> None:
    """Refuse a placeholder that would stay as typed in the parties' page."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(unknown)s. Use %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )


@dataclass(frozen=True)
class Reader:
    language: str
    time_zone: tzinfo


def readers(dispute: Dispute, party: str | None) -> list[Reader]:
    """Who reads a reply to ``party`` (None: both parties; ``MEDIATOR``: the mediators, in
    the language and zone active now), one per language."""
    if party == MEDIATOR:
        return [Reader(translation.get_language(), timezone.get_current_timezone())]
    order = dispute.order
    buyer = Reader(dispute.language, _zone_of(order.buyer))
    seller_user = order.seller.user
    seller = (
        Reader(seller_user.language or settings.LANGUAGE_CODE, _zone_of(seller_user))
        if seller_user is not None
        else None
    )
    if party == Party.BUYER:
        chosen = [buyer]
    elif party == Party.SELLER:
        chosen = [seller or buyer]
    else:
        chosen = [buyer, *([seller] if seller else [])]
    by_language: dict[str, Reader] = {}
    for reader in chosen:
        by_language.setdefault(reader.language, reader)
    return list(by_language.values())


def _zone_of(user: User) -> tzinfo:
    zone: tzinfo = time_zone_of(user)  # type: ignore[no-untyped-call]
    return zone


def fill(reply: SavedReply, dispute: Dispute, *, party: str | None, now: datetime) -> str:
    """``reply`` for ``dispute`` as ``party`` (None: both parties) reads it."""
    return "\n\n".join(
        fill_in(reply.body_in(reader.language), dispute, reader=reader, now=now)
        for reader in readers(dispute, party)
    )


def fill_in(text: str, dispute: Dispute, *, reader: Reader, now: datetime) -> str:
    with translation.override(reader.language), timezone.override(reader.time_zone):
        return PLACEHOLDER.sub(
            lambda match: (
                PLACEHOLDERS[match[1]][1](dispute, now) if match[1] in PLACEHOLDERS else match[0]
            ),
            text,
        )
