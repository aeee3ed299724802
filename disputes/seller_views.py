"""The seller's dispute pages: the disputes on their orders, one dispute, and their answers.

A seller is an account linked to a ``Seller``; it sees only the disputes on its own
orders (anyone else's answers 404). While the buyer's request waits for it, it accepts
it, offers another partial refund, or refuses with a statement and evidence.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders.models import Seller
from orders.navigation import remember_selling
from orders.templatetags.money import money

from . import actions
from .errors import DisputeErrorCode
from .evidence import drafts
from .evidence.upload_handler import streams_evidence
from .forms import OfferForm, RefusalForm
from .models import Dispute, Party
from .pages import page_url, party_dispute, render_dispute_page, seller_disputes
from .views import EvidenceDraft, act, button_view, refund_of

OTHER_DISPUTES_PER_PAGE = 20
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
    page = Paginator(others, OTHER_DISPUTES_PER_PAGE).get_page(request.GET.get("page"))
    # Only an account without a dispute on its orders can be no seller: asked only then.
    if not (waiting or page.object_list) and not Seller.objects.filter(user=request.user).exists():
        raise Http404
    remember_selling(request.session, True)  # linked to a seller since signing in
    return render(request, "disputes/seller_list.html", {"waiting": waiting, "page": page})


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


@login_required
@streams_evidence
def seller_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Refuse the buyer's request with a statement and evidence: the mediators decide.

    Files are kept in the refusal's draft as they come, so a statement sent back for
    being too short loses none of them.
    """
    dispute = seller_dispute(request, pk)
    if not dispute.waits_for_answer_of(request.user):
        if request.method == "POST":  # no file is kept: the action says why it refuses
            act(
                request,
                actions.refuse_request,
                REFUSED,
                dispute=dispute,
                seller=request.user,
                statement="",
            )
        return back_to(dispute)
    draft = EvidenceDraft(request, dispute, f"refusal_draft_{dispute.pk}", drafts.REFUSAL)
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and draft.accepts(form):
        try:
            actions.refuse_request(
                dispute=dispute,
                seller=request.user,
                statement=form.cleaned_data["statement"],
                evidence=draft.evidence(),
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
            messages.success(request, REFUSED)
            return back_to(dispute)
    return render(
        request,
        "disputes/seller_refuse.html",
        {
            "dispute": dispute,
            "order": dispute.order,
            "form": form,
            "draft_key": draft.key,
            "refusals": draft.refusals,
        },
    )
