from decimal import Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from orders.templatetags.money import money

from .actions import STATEMENT_MIN_LENGTH
from .models import DisputeReason, Outcome, RefundRequest

DESCRIPTION_MIN_LENGTH = 30


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with the item?"),
        choices=DisputeReason.choices,
        widget=forms.RadioSelect,
    )


class RefundForm(forms.Form):
    refund_request = forms.ChoiceField(
        label=_("What do you want?"),
        choices=RefundRequest.choices,
        widget=forms.RadioSelect,
    )
    requested_amount = forms.DecimalField(
        label=_("Amount you ask for"),
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        help_text=_("Only for a partial refund."),
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.fields["requested_amount"].help_text = _(
            "Only for a partial refund: more than 0 and less than %(price)s, in %(currency)s."
        ) % {"price": order.price, "currency": order.currency}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("refund_request") != RefundRequest.PARTIAL:
            cleaned["requested_amount"] = None
            return cleaned
        amount = cleaned.get("requested_amount")
        if amount is None:
            self.add_error("requested_amount", _("Enter the amount you ask for."))
        elif not (Decimal(0) < amount < self.order.price):
            self.add_error(
                "requested_amount",
                _("Enter an amount more than 0 and less than the price paid (%(price)s).")
                % {"price": self.order.price},
            )
        return cleaned


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


class OfferForm(forms.Form):
    """The seller's offer of another partial refund; ``actions.make_offer`` checks the amount."""

    amount = forms.DecimalField(
        label=_("Amount you offer"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Enter the amount you offer.")},
    )

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        order = dispute.order
        if dispute.requested_amount is None:
            help_text = _("More than 0 and less than the price paid, %(amount)s.")
            limit = order.price
        else:
            help_text = _(
                "More than 0 and less than the %(amount)s the buyer asked for "
                "(to give that, accept the request)."
            )
            limit = dispute.requested_amount
        self.fields["amount"].help_text = help_text % {"amount": money(limit, order.currency)}


class RefusalForm(forms.Form):
    """The seller's statement when refusing the buyer's request."""

    statement = long_text_field(
        _("Why you refuse"),
        min_length=STATEMENT_MIN_LENGTH,
        help_text=_(
            "What you shipped, why the buyer's request is not justified, and what your "
            "evidence shows (at least %(count)d characters)."
        ),
    )


class DecisionForm(forms.Form):
    """The mediator's decision, in the admin."""

    # Radios with none chosen: a decision is never made by leaving a default in place.
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    refund_amount = forms.DecimalField(
        label=_("Partial refund amount"), required=False, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("Note to the buyer"), widget=forms.Textarea(attrs={"rows": 4}))


class AppealAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the buyer"), widget=forms.Textarea(attrs={"rows": 4})
    )
