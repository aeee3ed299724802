"""The evidence panel's endpoints: upload, remove, and fetch a file.

Evidence is private: a file is served to its uploader and to mediators, its re-encoded
copies also to the other party of its dispute, and to anyone else it does not exist
(404). Pages only ever show re-encoded derivatives; an original is a download, and a
video plays from its original bytes (so the other party sees a video's poster only).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from disputes import actions
from disputes.models import Dispute, DisputeStatus, Evidence, EvidenceKind
from orders.models import Order

from . import panel, recording, refusals, serving
from .drafts import issued_form, takes_evidence
from .upload_handler import streams_evidence

FILE_VARIANTS = ("thumbnail", "display", "original", "video")
# The other party of a dispute sees re-encoded copies only; these serve the uploaded bytes.
ORIGINAL_VARIANTS = ("original", "video")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_POST
@login_required
@streams_evidence
def evidence_upload(request: HtmxHttpRequest) -> HttpResponse:
    """Keep the chosen files for the requester's draft or open dispute; say why others were not."""
    order, dispute, draft = _upload_target(request)
    files = request.FILES.getlist("evidence")
    if dispute is not None:
        result = _add_to_dispute(request, order, dispute, files)
    elif not takes_evidence(issued_form(request.session, draft), request.user, now=timezone.now()):
        # The page is older than the order's or the dispute's news: keep nothing for it.
        result = recording.refuse_all(files, "form_closed", refusals.FORM_CLOSED)
    else:
        result = recording.store_uploads(files, uploader=request.user, order=order, draft_key=draft)
    if request.htmx:
        response = _render_panel(
            request, order, dispute, draft, refusals=result.refusals, notes=result.notes
        )
        if result.stored:
            # Lets the page around the panel refresh what depends on the evidence list.
            trigger_client_event(response, "evidence-changed")
        return response
    _report(request, result)
    return _redirect_back(request, order)


def _upload_target(request):
    """The order and the draft or open dispute named in the POST data (or 404).

    Files go straight to an open dispute of the requester's own order only; a draft
    (issued by the requester's session for a form of that order) may also be on an order
    they sold that has an open dispute, for the seller's refusal or messages.
    """
    number = request.POST.get("order", "")
    dispute_pk = request.POST.get("dispute", "")
    if dispute_pk:
        order = get_object_or_404(Order, number=number, buyer=request.user)
        if (pk := panel.posted_pk(dispute_pk)) is None:
            raise Http404
        dispute = get_object_or_404(Dispute, pk=pk, order=order, status=DisputeStatus.OPEN)
        return order, dispute, ""
    draft = request.POST.get("draft", "")
    draft_form = issued_form(request.session, draft)
    if draft_form is None:
        raise Http404
    order = get_object_or_404(_draft_orders(request.user), number=number, pk=draft_form.order)
    return order, None, draft


def _draft_orders(user):
    """The orders ``user`` may keep draft evidence for: those they bought, and those they
    sold (through their seller account) while a dispute on them is open."""
    open_dispute = Dispute.objects.filter(order=OuterRef("pk"), status=DisputeStatus.OPEN)
    return Order.objects.filter(Q(buyer=user) | (Q(seller__user=user) & Exists(open_dispute)))


def _add_to_dispute(request, order, dispute, files):
    """Store files onto an open dispute, then record the "evidence added" event.

    Each file is committed on its own, so the order row is never locked while the next
    file is decoded; if the dispute closed meanwhile, the files just stored are deleted.
    """
    result = recording.store_uploads(files, uploader=request.user, order=order, dispute=dispute)
    if not result.stored:
        return result
    try:
        actions.add_evidence(dispute=dispute, uploader=request.user, evidence=result.stored)
    except actions.DisputeActionError as error:
        recording.discard(result.stored)
        refused = [
            refusals.Refusal(file_name=item.original_name, message=error.message, code=error.code)
            for item in result.stored
        ]
        return recording.UploadResult(refusals=refused + result.refusals)
    return result


def _report(request, result):
    """Tell a buyer without JavaScript what was kept and what was refused, file by file."""
    if result.stored:
        count = len(result.stored)
        messages.success(
            request,
            ngettext("%(count)s file added.", "%(count)s files added.", count) % {"count": count},
        )
    for refusal in result.refusals:
        messages.error(request, refusal.message)
    for note in result.notes:
        messages.info(request, note)


def _redirect_back(request, order):
    """Back to the page the panel was on (a local URL only), else the order's page."""
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("orders:detail", number=order.number)


def _render_panel(request, order, dispute, draft, *, refusals=(), notes=()):
    context = panel.panel_context(
        order=order,
        uploader=request.user,
        dispute=dispute,
        draft=draft,
        refusals=refusals,
        notes=notes,
        next_url=request.POST.get("next", ""),
    )
    return render(request, panel.TEMPLATE, context)


@require_POST
@login_required
def evidence_remove(request: HtmxHttpRequest) -> HttpResponse:
    """Delete one of the requester's draft evidence files; anything else is a 404."""
    if (pk := panel.posted_pk(request.POST.get("evidence_pk", ""))) is None:
        raise Http404
    drafts = Evidence.objects.drafts(buyer=request.user).select_related("order__buyer")
    evidence = get_object_or_404(drafts, pk=pk)
    recording.remove_draft(evidence)
    if request.htmx:
        response = _render_panel(request, evidence.order, None, evidence.draft_key)
        return trigger_client_event(response, "evidence-changed")
    messages.success(request, _("%(name)s was removed.") % {"name": evidence.original_name})
    return _redirect_back(request, evidence.order)


@require_safe
@login_required
def evidence_file(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    """Stream one file of an evidence the requester may see, with headers that keep it inert."""
    if variant not in FILE_VARIANTS:
        raise Http404
    originals = variant in ORIGINAL_VARIANTS
    evidence = get_object_or_404(
        Evidence.objects.visible_to(request.user, originals=originals), pk=pk
    )
    if variant == "video":
        if evidence.kind != EvidenceKind.VIDEO:
            raise Http404
        response = serving.ranged_response(request, evidence.original.name, evidence.mime)
        response["Content-Disposition"] = "inline"
    elif variant == "original":
        response = serving.ranged_response(request, evidence.original.name, evidence.mime)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=evidence.original_name
        )
    else:
        derivative = getattr(evidence, variant)
        if not derivative:
            raise Http404
        response = serving.file_response(derivative.name, "image/jpeg")
        response["Content-Disposition"] = "inline"
    return serving.private(response)
