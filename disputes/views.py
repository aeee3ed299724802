"""The buyer's dispute pages: the dispute itself, cancelling it, and the appeal form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .eligibility import dispute_eligibility
from .evidence import recording
from .evidence.drafts import issue_draft_key
from .evidence.upload_handler import streams_evidence
from .forms import AppealForm
from .models import Appeal, Dispute, DisputeEvent, DisputeStatus


def buyer_dispute(request: HttpRequest, pk: int) -> Dispute:
    """The requesting buyer's dispute; anyone else's answers 404."""
    disputes = Dispute.objects.of_buyer(request.user).select_related("order__seller")
    return get_object_or_404(disputes, pk=pk)


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = buyer_dispute(request, pk)
    appeal = (
        Appeal.objects.filter(dispute=dispute)
        .prefetch_related(Prefetch("evidence", to_attr="evidence_list"))
        .first()
    )
    return render(
        request,
        "disputes/dispute_detail.html",
        {
            "dispute": dispute,
            "order": dispute.order,
            "events": DisputeEvent.objects.filter(dispute=dispute).select_related("actor"),
            "evidence_list": dispute.evidence.all(),
            "appeal": appeal,
            "eligibility": dispute_eligibility(dispute.order, [dispute], now=timezone.now()),
        },
    )


@require_POST
@login_required
def cancel_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = buyer_dispute(request, pk)
    try:
        actions.cancel_dispute(dispute=dispute, buyer=request.user)
    except actions.DisputeActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your dispute is cancelled."))
    return redirect(dispute)


@login_required
@streams_evidence
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = buyer_dispute(request, pk)
    already_sent = Appeal.objects.filter(dispute=dispute).exists()
    if dispute.status != DisputeStatus.DECIDED or not dispute.is_against_buyer or already_sent:
        return redirect(dispute)
    session_key = f"appeal_draft_{dispute.pk}"
    if session_key not in request.session:
        request.session[session_key] = issue_draft_key(request.session)
    draft_key = request.session[session_key]
    form = AppealForm(request.POST or None)
    refusals = ()
    if request.method == "POST":
        refusals = recording.store_uploads(
            request.FILES.getlist("evidence"),
            uploader=request.user,
            order=dispute.order,
            draft_key=draft_key,
        ).refusals
        if form.is_valid() and not refusals:
            try:
                actions.send_appeal(
                    dispute=dispute,
                    buyer=request.user,
                    message=form.cleaned_data["message"],
                    draft_key=draft_key,
                )
            except actions.DisputeActionError as error:
                messages.error(request, error.message)
            else:
                del request.session[session_key]
                messages.success(request, _("Your appeal is sent to customer service."))
            return redirect(dispute)
    return render(
        request,
        "disputes/appeal.html",
        {
            "dispute": dispute,
            "order": dispute.order,
            "form": form,
            "draft_key": draft_key,
            "refusals": refusals,
        },
    )
