from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import BLANK_CHOICE_DASH
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.roles import mediators
from orders.money import format_amount, format_money, parse_amount

from .actions import STATEMENT_MIN_LENGTH
from .amounts import checked_partial_refund
from .errors import DisputeActionError
from .models import (
    RECEIVED_ITEM_REASONS,
    AppealRuling,
    DecisionReason,
    Dispute,
    Outcome,
    Party,
    RefundRequest,
    SavedReply,
)

DESCRIPTION_MIN_LENGTH = 30


def typed_amount(text: str, currency: str) -> Decimal:
    """What a person typed, read as an amount of ``currency`` the same way for everyone
    (``orders.money.parse_amount``: "29,99" and "29.99" alike), or the error that shows how
    to write one."""
    try:
        return parse_amount(text, currency)
    except ValueError:
        raise forms.ValidationError(
            _("Enter the amount in figures, such as %(example)s."),
            code="invalid",
            params={"example": format_amount(Decimal("5.50"), currency)},
        ) from None


class AmountField(forms.CharField):
    """An amount typed in a text box on a decimal keyboard, read by ``typed_amount``; its
    form sets ``currency``."""

    currency = ""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        return typed_amount(text, self.currency) if text else None


class FocusesErrors:
    """Puts the focus on the first field refused, so that its error is where the eye is on
    the page shown again (a phone would otherwise show its top, the error far below)."""

    fields: dict[str, forms.Field]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        focused = any("autofocus" in bound.widget.attrs for bound in self.fields.values())
        if field in self.fields and not focused:
            self.fields[field].widget.attrs["autofocus"] = True


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with the item?"),
        choices=RECEIVED_ITEM_REASONS,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, reasons: Sequence[tuple[str, StrOrPromise]], **kwargs: Any
    ) -> None:
        """``reasons``: those the order allows now (``Eligibility.offered_reasons``)."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reasons
        if len(reasons) == 1:  # "Item not received", offered alone: chosen already
            self.fields["reason"].initial = reasons[0][0]


class RefundForm(forms.Form):
    refund_request = forms.ChoiceField(
        label=_("What do you want?"),
        choices=RefundRequest.choices,
        widget=forms.RadioSelect,
    )
    # Text, read the buyer's way in clean_requested_amount (orders.money.parse_amount), and
    # only for a partial refund: for a full refund whatever the box holds is not used.
    requested_amount = forms.CharField(
        label=_("Amount you ask for"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.fields["requested_amount"].help_text = _(
            "Used only for a partial refund: more than 0 and less than %(price)s."
        ) % {"price": format_money(order.price, order.currency)}
        amount = self.initial.get("requested_amount")
        if isinstance(amount, Decimal):
            # An earlier answer (reopening), written as the buyer would type it.
            self.initial = self.initial | {
                "requested_amount": format_amount(amount, order.currency)
            }

    def clean_requested_amount(self):
        if self.cleaned_data.get("refund_request") != RefundRequest.PARTIAL:
            return None
        typed = self.cleaned_data["requested_amount"]
        if not typed:
            raise forms.ValidationError(_("Enter the amount you ask for."), code="required")
        amount = typed_amount(typed, self.order.currency)
        try:
            return checked_partial_refund(amount, order=self.order)
        except DisputeActionError as error:
            raise error.as_validation_error() from None


def long_text_field(label, *, min_length, help_text):
    """A required long text of at least ``min_length`` characters. Its ``help_text`` says
    that length (``%(count)d``), lazily: translated for each request, not once at import."""
    return forms.CharField(
        label=label,
        min_length=min_length,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=lazy(lambda: help_text % {"count": min_length}, str)(),
    )


class DetailsForm(forms.Form):
    description = long_text_field(
        _("Describe the problem"),
        min_length=DESCRIPTION_MIN_LENGTH,
        help_text=_(
            "What you expected, what you received, and what is wrong with it "
            "(at least %(count)d characters)."
        ),
    )


class ReviewForm(forms.Form):
    """The last step only confirms: every answer is shown and validated again."""


class AppealForm(forms.Form):
    message = forms.CharField(
        label=_("Your message to customer service"),
        min_length=DESCRIPTION_MIN_LENGTH,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Explain why you think the decision is wrong."),
    )


class MessageForm(forms.Form):
    """A party's message in the dispute's conversation (evidence comes through the panel)."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message.")},
    )


class OfferForm(FocusesErrors, forms.Form):
    """The seller's offer of another partial refund; ``actions.make_offer`` checks the amount."""

    amount = AmountField(
        label=_("Amount you offer"),
        error_messages={"required": _("Enter the amount you offer.")},
    )

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        order = dispute.order
        self.fields["amount"].currency = order.currency
        if dispute.requested_amount is None:
            help_text = _("More than 0 and less than the price paid, %(amount)s.")
            limit = order.price
        else:
            help_text = _(
                "More than 0 and less than the %(amount)s the buyer asked for "
                "(to give that, accept the request)."
            )
            limit = dispute.requested_amount
        self.fields["amount"].help_text = help_text % {
            "amount": format_money(limit, order.currency)
        }


class RefusalForm(FocusesErrors, forms.Form):
    """The seller's statement when refusing the buyer's request."""

    statement = long_text_field(
        _("Why you refuse"),
        min_length=STATEMENT_MIN_LENGTH,
        help_text=_(
            "What you shipped, why the buyer's request is not justified, and what your "
            "evidence shows (at least %(count)d characters)."
        ),
    )


class ReturnShippedForm(forms.Form):
    """The buyer's return, once shipped: ``actions.ship_return`` (a receipt's photo comes
    through the evidence panel)."""

    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=100,
        help_text=_("The postal service or courier you gave the parcel to."),
        error_messages={"required": _("Enter the carrier.")},
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the tracking number.")},
    )


class ReturnProblemForm(forms.Form):
    """The seller's statement of what is wrong with the returned item."""

    statement = long_text_field(
        _("What is wrong with the returned item"),
        min_length=STATEMENT_MIN_LENGTH,
        help_text=_(
            "What arrived, how it differs from what you sold, and what your evidence shows "
            "(at least %(count)d characters)."
        ),
    )


# The mediator's decision that is not an outcome yet: a full refund once the item is back.
REFUND_AFTER_RETURN = "refund_after_return"


class DecisionReasonField(forms.ChoiceField):
    """The reason of a decision or of an appeal's answer, from ``DecisionReason``: none
    chosen at first, so it is never left to a default."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Reason for the decision"))
        kwargs.setdefault(
            "help_text", _("Both parties read it in their language, beside your note.")
        )
        super().__init__(choices=[*BLANK_CHOICE_DASH, *DecisionReason.choices], **kwargs)


class SavedReplyChoice(forms.Form):
    """A saved reply to fill the form's text with (``disputes.saved_replies``): the page's
    "Fill in" button posts the form back with the reply written for its reader."""

    # Where the chosen reply goes.
    reply_field: str

    saved_reply = forms.ModelChoiceField(
        label=_("Saved reply"),
        queryset=SavedReply.objects.all(),
        required=False,
        help_text=_("Fill in writes it below in the language of the party it is for."),
    )


class DecisionForm(FocusesErrors, SavedReplyChoice):
    """The mediator's decision, in the admin: an outcome, or a refund after return."""

    reply_field = "note"
    field_order = [
        "outcome",
        "refund_amount",
        "beyond_request",
        "reason",
        "saved_reply",
        "note",
        "confirmed",
    ]

    # Radios with none chosen: a decision is never made by leaving a default in place.
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[*Outcome.choices, (REFUND_AFTER_RETURN, _("Refund after return"))],
        widget=forms.RadioSelect,
        help_text=_(
            "Refund after return: the buyer ships the item back to the seller's return "
            "address, and the full price is refunded once it arrives."
        ),
    )
    refund_amount = AmountField(label=_("Partial refund amount"), required=False)
    reason = DecisionReasonField()
    note = forms.CharField(label=_("Note to the buyer"), widget=forms.Textarea(attrs={"rows": 4}))
    # Shown only when the buyer asked for a partial refund: a full refund then gives more.
    beyond_request = forms.BooleanField(
        label=_("Yes, refund in full, more than the buyer asked for"), required=False
    )
    # A decision ends the dispute and is told to both parties at once.
    confirmed = forms.BooleanField(
        label=_("I have read both sides and their evidence: record this decision"),
        error_messages={"required": _("Confirm the decision: it cannot be taken back here.")},
    )

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dispute = dispute
        self.fields["refund_amount"].currency = dispute.order.currency
        if dispute.requested_amount is None:
            del self.fields["beyond_request"]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        asked = self.dispute.requested_amount
        if (
            asked is not None
            and self.cleaned_data.get("outcome") in (Outcome.FULL_REFUND, REFUND_AFTER_RETURN)
            and not self.cleaned_data.get("beyond_request")
        ):
            self.add_error(
                "beyond_request",
                _(
                    "The buyer asked for a partial refund of %(asked)s; a full refund gives "
                    "them %(price)s. Tick this box to grant it anyway, or decide a partial "
                    "refund."
                )
                % {
                    "asked": format_money(asked, self.dispute.order.currency),
                    "price": format_money(self.dispute.order.price, self.dispute.order.currency),
                },
            )
        return data


class InformationRequestForm(SavedReplyChoice):
    """A mediator's question to one party, in the admin; the seller only if it can answer."""

    reply_field = "message"
    field_order = ["party", "saved_reply", "message"]

    # Radios with none chosen, as for a decision: the mediator says whom they ask.
    party = forms.ChoiceField(label=_("Ask"), choices=Party.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("What you need to know"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, seller_can_answer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not seller_can_answer:
            party = self.fields["party"]
            party.choices = [(Party.BUYER, Party.BUYER.label)]
            party.error_messages["invalid_choice"] = _(
                "This seller has no account and cannot answer in the app: ask the buyer."
            )


class MediatorMessageForm(SavedReplyChoice):
    """A mediator's message in the conversation, or an internal note, as ``label`` says."""

    reply_field = "body"

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, label: StrOrPromise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class AssignForm(forms.Form):
    """Whom a mediator gives disputes to: themselves, a colleague, or nobody."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=mediators(),
        required=False,
        empty_label=_("Nobody"),
        help_text=_("Only mediators are listed."),
    )


class AppealAnswerForm(SavedReplyChoice):
    """Customer service's answer to an appeal, in the admin: uphold the decision, or
    replace it with another outcome; either way with its reason from the fixed list (the
    replacing decision's too), and the answer both parties read."""

    reply_field = "answer"
    field_order = ["ruling", "outcome", "refund_amount", "reason", "saved_reply", "answer"]

    # Radios with none chosen: a decision is never upheld by leaving a default in place.
    ruling = forms.ChoiceField(
        label=_("Ruling"), choices=AppealRuling.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("New decision"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Only when the decision is replaced."),
    )
    refund_amount = forms.DecimalField(
        label=_("Partial refund amount"), required=False, max_digits=12, decimal_places=2
    )
    reason = DecisionReasonField(
        label=_("Reason for the answer"),
        help_text=_("Both parties read it in their language; a replacing decision carries it too."),
    )
    answer = forms.CharField(
        label=_("Answer to both parties"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ruling") == AppealRuling.REPLACED and not data.get("outcome"):
            self.add_error("outcome", _("Choose the decision that replaces the first one."))
        if data.get("ruling") == AppealRuling.UPHELD:
            data["outcome"] = None  # an upheld decision keeps its outcome
        return data


# A parcel that never arrived (PRODUCT.md §2a).


class ProofOfDeliveryForm(RefusalForm):
    """The seller's refusal of an "Item not received": the delivery, with its statement."""

    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)
    field_order = ["carrier", "tracking_number", "statement"]


class ExtensionForm(forms.Form):
    """The later delivery date a seller gives once, in days after the date promised."""

    days = forms.IntegerField(label=_("More days to wait"), min_value=1)

    def __init__(self, *args: Any, most: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.max_value = most
        days.widget.attrs["max"] = most
        days.validators.append(MaxValueValidator(most))
        days.help_text = _("From 1 to %(most)s days after the date promised.") % {"most": most}


class AnotherReasonForm(DetailsForm):
    """The buyer keeps a "not received" dispute once the parcel arrived: what is wrong."""

    reason = forms.ChoiceField(
        label=_("What is wrong with the item?"),
        choices=RECEIVED_ITEM_REASONS,
        widget=forms.RadioSelect,
    )
    field_order = ["reason", "description"]
