"""The seller's dispute pages: the disputes on their orders, one dispute, and their answers.

A seller is an account linked to a ``Seller``; it sees only the disputes on its own
orders (anyone else's answers 404). While the buyer's request waits for it, it accepts
it, accepts it if the item is returned, offers another partial refund, or refuses with a
statement and evidence. Once a return is on its way, it confirms it arrived or reports a
problem with the returned item.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from orders.models import Seller
from orders.navigation import remember_selling
from orders.templatetags.money import money

from . import actions
from .errors import DisputeErrorCode
from .evidence import drafts
from .evidence.upload_handler import streams_evidence
from .forms import ExtensionForm, OfferForm, ProofOfDeliveryForm, RefusalForm, ReturnProblemForm
from .models import Dispute, Party, Stage
from .pages import page_url, party_dispute, render_dispute_page, seller_disputes
from .views import EvidenceDraft, act, button_view, refund_of

OTHER_DISPUTES_PER_PAGE = 20
# The soonest deadlines a seller answers first; the later ones are counted, and come up as
# these are answered. Without a bound, a page grew with a large seller's disputes.
WAITING_SHOWN = 50
REFUSED = gettext_lazy("You refused the request: a mediator will now review the dispute.")
# Refusals of an offer that are about the amount typed: shown beside the field.
AMOUNT_ERRORS = (DisputeErrorCode.INVALID_AMOUNT, DisputeErrorCode.OFFER_NOT_BELOW_REQUEST)


def seller_dispute(request: HttpRequest, pk: int) -> Dispute:
    """A dispute on one of the requesting seller's orders; anyone else's answers 404."""
    return party_dispute(request, pk, Party.SELLER)


def back_to(dispute: Dispute) -> HttpResponse:
    return redirect(page_url(dispute, Party.SELLER))


@login_required
def seller_list(request: HttpRequest) -> HttpResponse:
    """What waits for the seller's answer first, soonest deadline first; then the others."""
    waiting, others = seller_disputes(request.user)
    shown = list(waiting[: WAITING_SHOWN + 1])  # one more says whether there are more
    more_waiting = waiting.count() - WAITING_SHOWN if len(shown) > WAITING_SHOWN else 0
    page = Paginator(others, OTHER_DISPUTES_PER_PAGE).get_page(request.GET.get("page"))
    # Only an account without a dispute on its orders can be no seller: asked only then.
    if not (shown or page.object_list) and not Seller.objects.filter(user=request.user).exists():
        raise Http404
    remember_selling(request.session, True)  # linked to a seller since signing in
    return render(
        request,
        "disputes/seller_list.html",
        {"waiting": shown[:WAITING_SHOWN], "more_waiting": more_waiting, "page": page},
    )


@login_required
def seller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_dispute_page(request, seller_dispute(request, pk), Party.SELLER)


seller_accept = button_view(
    actions.accept_request,
    Party.SELLER,
    lambda agreed: (
        _("You accepted the buyer's request: the dispute ended with a refund of %(amount)s.")
        % {"amount": refund_of(agreed)}
    ),
)


@require_POST
@login_required
def seller_offer(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = seller_dispute(request, pk)
    form = OfferForm(request.POST, dispute=dispute)
    if form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            actions.make_offer(dispute=dispute, seller=request.user, amount=amount)
        except actions.DisputeActionError as error:
            if error.code not in AMOUNT_ERRORS:
                messages.error(request, error.message)
                return back_to(dispute)
            form.add_error("amount", error.as_validation_error())
        else:
            messages.success(
                request,
                _("You offered %(amount)s: the buyer now accepts it or asks for mediation.")
                % {"amount": money(amount, dispute.order.currency)},
            )
            return back_to(dispute)
    return render_dispute_page(request, dispute, Party.SELLER, offer_form=form)


def statement_page(
    request: HttpRequest,
    dispute: Dispute,
    *,
    action: Callable[..., Dispute],
    may_send: Callable[[Any], bool],
    form_class: type[forms.Form],
    draft_form: str,
    success: StrOrPromise,
    template: str,
) -> HttpResponse:
    """The seller's statement with evidence (a refusal, or a problem with a returned item),
    sent to ``action``: the mediators decide.

    Files are kept in the form's draft as they come, so a statement sent back for being
    too short loses none of them.
    """
    if not may_send(request.user):
        if request.method == "POST":  # no file is kept: the action says why it refuses
            blank = dict.fromkeys(form_class.base_fields, "")
            act(request, action, success, dispute=dispute, seller=request.user, **blank)
        return back_to(dispute)
    draft = EvidenceDraft(request, dispute, f"{draft_form}_draft_{dispute.pk}", draft_form)
    form = form_class(request.POST or None)
    if request.method == "POST" and draft.accepts(form):
        try:
            action(
                dispute=dispute, seller=request.user, evidence=draft.evidence(), **form.cleaned_data
            )
        except actions.DisputeActionError as error:
            if error.code == DisputeErrorCode.STATEMENT_TOO_SHORT:
                form.add_error("statement", error.message)
            elif error.code == DisputeErrorCode.TOO_MANY_FILES:
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                return back_to(dispute)
        else:
            draft.forget()
            messages.success(request, success)
            return back_to(dispute)
    return render(
        request,
        template,
        {
            "dispute": dispute,
            "order": dispute.order,
            "form": form,
            "draft_key": draft.key,
            "refusals": draft.refusals,
        },
    )


@require_POST
@login_required
def seller_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a parcel not received a later delivery date, once: the buyer answers it."""
    dispute = seller_dispute(request, pk)
    form = ExtensionForm(request.POST, most=settings.DISPUTE_DELIVERY_EXTENSION_MAX_DAYS)
    if form.is_valid():
        try:
            extended = actions.extend_delivery(
                dispute=dispute, seller=request.user, days=form.cleaned_data["days"]
            )
        except actions.DisputeActionError as error:
            if error.code != DisputeErrorCode.INVALID_EXTENSION:
                messages.error(request, error.message)
                return back_to(dispute)
            form.add_error("days", error.as_validation_error())
        else:
            messages.success(
                request,
                _(
                    "You asked the buyer to wait until %(date)s: they accept it or ask for "
                    "mediation."
                )
                % {
                    "date": date_format(localtime(extended.delivery_extended_to), "DATETIME_FORMAT")
                },
            )
            return back_to(dispute)
    return render_dispute_page(request, dispute, Party.SELLER, extension_form=form)


@login_required
@streams_evidence
def seller_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Refuse the buyer's request with a statement and evidence: the mediators decide."""
    dispute = seller_dispute(request, pk)
    # A parcel not received is refused with its delivery: carrier and tracking number.
    proving_delivery = dispute.stage == Stage.NOT_RECEIVED_WAITING_FOR_SELLER
    return statement_page(
        request,
        dispute,
        action=actions.refuse_with_proof_of_delivery
        if proving_delivery
        else actions.refuse_request,
        may_send=dispute.waits_for_answer_of,
        form_class=ProofOfDeliveryForm if proving_delivery else RefusalForm,
        draft_form=drafts.REFUSAL,
        success=REFUSED,
        template="disputes/seller_refuse.html",
    )


# Returning the item before the refund (PRODUCT.md §4e).

seller_accept_if_returned = button_view(
    actions.accept_if_returned,
    Party.SELLER,
    gettext_lazy(
        "You accept to refund the buyer once the item is back: they now ship it to your "
        "return address."
    ),
)
seller_confirm_return = button_view(
    actions.confirm_return_arrived,
    Party.SELLER,
    lambda refunded: (
        _("You confirmed the return arrived: the dispute ended with a refund of %(amount)s.")
        % {"amount": refund_of(refunded)}
    ),
)


@login_required
@streams_evidence
def seller_return_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a problem with the returned item, with a statement and evidence."""
    dispute = seller_dispute(request, pk)
    return statement_page(
        request,
        dispute,
        action=actions.report_return_problem,
        may_send=dispute.return_on_its_way_to,
        form_class=ReturnProblemForm,
        draft_form=drafts.RETURN_PROBLEM,
        success=gettext_lazy(
            "You reported a problem with the returned item: a mediator will now review the dispute."
        ),
        template="disputes/seller_return_problem.html",
    )
