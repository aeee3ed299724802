"""The buyer's dispute pages and answers, and the conversation form of both parties.

Each view finds the dispute among the requester's own (anyone else's answers 404), calls
one function of ``disputes.actions``, and returns to the page saying what happened; a
form with errors is shown again on the page with what was typed. The seller's pages are
in ``disputes.seller_views``.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders.templatetags.money import money

from . import actions
from .eligibility import appeal_refusal
from .errors import DisputeErrorCode
from .evidence import drafts, recording
from .evidence.upload_handler import streams_evidence
from .forms import AnotherReasonForm, AppealForm, MessageForm, ReturnShippedForm
from .models import Dispute, Evidence, Party
from .pages import message_draft_name, page_url, party_dispute, render_dispute_page
from .stages import EscalationReason


def buyer_dispute(request: HttpRequest, pk: int) -> Dispute:
    """The requesting buyer's dispute; anyone else's answers 404."""
    return party_dispute(request, pk, Party.BUYER)


def act(request: HttpRequest, action: Callable, success: str | Callable, **arguments):
    """Run one action and tell the person what it did (``success``, or ``success`` of what
    it returns), or why it was refused; return what it returned, None when refused."""
    try:
        changed = action(**arguments)
    except actions.DisputeActionError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success(changed) if callable(success) else success)
    return changed


class EvidenceDraft:
    """The draft of one form sent with evidence (``form``: an appeal, a refusal, a
    message), named ``name`` in the session until the form is sent. Files are kept as they
    come, whatever becomes of the rest of the form, so a form sent back for its errors
    loses none."""

    def __init__(self, request: HttpRequest, dispute: Dispute, name: str, form: str):
        self.request, self.dispute, self.name = request, dispute, name
        draft_form = drafts.DraftForm.of(form, dispute.order, dispute)
        self.key = drafts.form_draft_key(request.session, name, draft_form)
        self.refusals = []

    def accepts(self, form, *, keep_files: bool = True) -> bool:
        """Keep the files sent with ``form`` (``refusals`` names each one not kept), then
        say whether the form can be sent: valid, and every file kept."""
        if keep_files:
            result = recording.store_uploads(
                self.request.FILES.getlist("evidence"),
                uploader=self.request.user,
                order=self.dispute.order,
                draft_key=self.key,
            )
            self.refusals = result.refusals
            for note in result.notes:
                messages.info(self.request, note)
        return form.is_valid() and not self.refusals

    def evidence(self) -> list[Evidence]:
        drafts = Evidence.objects.drafts(buyer=self.request.user, key=self.key)
        return list(drafts.filter(order=self.dispute.order))

    def send(self, action: Callable, success: str, **arguments) -> None:
        """Run ``action``, which takes the draft's files; forget the draft once it has."""
        if act(self.request, action, success, **arguments):
            self.forget()

    def forget(self) -> None:
        """The form is sent: its next use starts a new draft."""
        del self.request.session[self.name]


def refund_of(dispute: Dispute) -> str:
    return money(dispute.refunded_amount, dispute.order.currency)


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_dispute_page(request, buyer_dispute(request, pk), Party.BUYER)


def button_view(action: Callable, party: str, success: str | Callable):
    """A POST-only view for an answer given with one button: run ``action`` as the
    requesting party, then return to its page saying what happened, or why not."""
    as_party = "buyer" if party == Party.BUYER else "seller"

    @require_POST
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        dispute = party_dispute(request, pk, party)
        act(request, action, success, dispute=dispute, **{as_party: request.user})
        return redirect(page_url(dispute, party))

    return view


cancel_dispute = button_view(
    actions.cancel_dispute, Party.BUYER, gettext_lazy("Your dispute is cancelled.")
)
accept_offer = button_view(
    actions.accept_offer,
    Party.BUYER,
    lambda agreed: (
        _("You accepted the offer: the dispute ended with a refund of %(amount)s.")
        % {"amount": refund_of(agreed)}
    ),
)
ask_for_mediation = button_view(
    actions.ask_for_mediation,
    Party.BUYER,
    lambda escalated: (
        _("You refused the offer: a mediator will now review the dispute.")
        if escalated.escalation_reason == EscalationReason.BUYER_REFUSED_OFFER
        else _("You asked for mediation instead of the return: a mediator will now review it.")
    ),
)


# A parcel that never arrived (PRODUCT.md §2a).
accept_extension = button_view(
    actions.accept_extension,
    Party.BUYER,
    gettext_lazy(
        "You accepted to wait: the dispute is cancelled, and you can reopen it if the parcel "
        "has not arrived by the new date."
    ),
)
refuse_extension = button_view(
    actions.refuse_extension,
    Party.BUYER,
    gettext_lazy("You refused to wait longer: a mediator will now review the dispute."),
)


@require_POST
@login_required
def keep_with_another_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """The parcel arrived after all: the buyer keeps the dispute about what is wrong with it."""
    dispute = buyer_dispute(request, pk)
    form = AnotherReasonForm(request.POST)
    if not form.is_valid():
        return render_dispute_page(request, dispute, Party.BUYER, another_reason_form=form)
    act(
        request,
        actions.keep_with_another_reason,
        _("Your dispute goes on with what is wrong with the item."),
        dispute=dispute,
        buyer=request.user,
        **form.cleaned_data,
    )
    return redirect(page_url(dispute, Party.BUYER))


@require_POST
@login_required
@streams_evidence
def post_message(request: HttpRequest, pk: int, party: str) -> HttpResponse:
    """A party's message in the conversation, with the files of its draft."""
    dispute = party_dispute(request, pk, party)
    draft = EvidenceDraft(request, dispute, message_draft_name(dispute), drafts.MESSAGE)
    form = MessageForm(request.POST)
    # No file is kept for a closed dispute: the action says why it refuses the message.
    if not draft.accepts(form, keep_files=dispute.is_open):
        return render_dispute_page(
            request, dispute, party, message_form=form, refusals=draft.refusals
        )
    try:
        actions.post_message(
            dispute=dispute,
            author=request.user,
            body=form.cleaned_data["body"],
            evidence=draft.evidence(),
        )
    except actions.DisputeActionError as error:
        if error.code == DisputeErrorCode.TOO_MANY_FILES:  # the message stays, to trim its files
            form.add_error(None, error.message)
            return render_dispute_page(request, dispute, party, message_form=form)
        messages.error(request, error.message)
    else:
        draft.forget()
        messages.success(request, _("Your message is sent."))
    return redirect(page_url(dispute, party) + "#conversation")


@login_required
@streams_evidence
def appeal(request: HttpRequest, pk: int, party: str) -> HttpResponse:
    """A party's appeal of a decision against them to customer service, with files."""
    dispute = party_dispute(request, pk, party)
    if appeal_refusal(dispute, party, now=timezone.now()):
        return redirect(page_url(dispute, party))
    draft = EvidenceDraft(request, dispute, f"appeal_draft_{dispute.pk}", drafts.APPEAL)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and draft.accepts(form):
        draft.send(
            actions.send_appeal,
            _("Your appeal is sent to customer service."),
            dispute=dispute,
            appellant=request.user,
            message=form.cleaned_data["message"],
            draft_key=draft.key,
        )
        return redirect(page_url(dispute, party))
    return render(
        request,
        "disputes/appeal.html",
        {
            "dispute": dispute,
            "order": dispute.order,
            "party": party,
            "page_url": page_url(dispute, party),
            "form": form,
            "draft_key": draft.key,
            "refusals": draft.refusals,
        },
    )


@login_required
@streams_evidence
def ship_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer's return, once shipped: carrier, tracking number, a photo of the receipt."""
    dispute = buyer_dispute(request, pk)
    if not dispute.return_to_ship_by(request.user):
        return redirect(dispute)
    draft = EvidenceDraft(
        request, dispute, f"return_receipt_draft_{dispute.pk}", drafts.RETURN_RECEIPT
    )
    form = ReturnShippedForm(request.POST or None)
    if request.method == "POST" and draft.accepts(form):
        draft.send(
            actions.ship_return,
            _("Your return is on its way: the seller now confirms it arrived."),
            dispute=dispute,
            buyer=request.user,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            evidence=draft.evidence(),
        )
        return redirect(dispute)
    return render(
        request,
        "disputes/ship_return.html",
        {
            "dispute": dispute,
            "order": dispute.order,
            "form": form,
            "draft_key": draft.key,
            "refusals": draft.refusals,
        },
    )
