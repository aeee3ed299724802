"""Uploading, removing and fetching evidence files: the panel's endpoints.

Evidence is private: a file is served only to the buyer who uploaded it and to staff,
and to anyone else it does not exist (404). Pages only ever show re-encoded
derivatives; an original is a download, and a video plays from its original bytes.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event

from orders.models import Order

from . import actions, evidence_service
from .actions import DisputeActionError
from .drafts import is_issued
from .models import Dispute, DisputeStatus, Evidence, EvidenceKind, evidence_storage
from .uploads import streams_evidence

PANEL_TEMPLATE = "disputes/evidence/_panel.html"
STREAM_CHUNK_BYTES = 64 * 1024
RANGE_PATTERN = re.compile(r"^bytes=(\d*)-(\d*)$")
FILE_VARIANTS = ("thumbnail", "display", "original", "video")


@require_POST
@login_required
@streams_evidence
def evidence_upload(request):
    """Keep the chosen files for the buyer's draft or open dispute; say why others were not."""
    target = _upload_target(request)
    files = request.FILES.getlist("evidence")
    if target["dispute"] is not None:
        result = _add_to_dispute(request, target, files)
    else:
        result = evidence_service.store_uploads(
            files, buyer=request.user, order=target["order"], draft_key=target["draft"]
        )
    if request.htmx:
        response = _render_panel(request, target, refusals=result.refusals)
        if result.stored:
            # Lets the page around the panel refresh what depends on the evidence list.
            trigger_client_event(response, "evidence-changed")
        return response
    _report(request, result)
    return _redirect_back(request, target["order"])


def _upload_target(request):
    """The requester's order and the draft or open dispute named in the POST data (or 404)."""
    order = get_object_or_404(Order, number=request.POST.get("order", ""), buyer=request.user)
    dispute_pk = request.POST.get("dispute", "")
    if dispute_pk:
        if not dispute_pk.isdigit():
            raise Http404
        dispute = get_object_or_404(
            Dispute, pk=int(dispute_pk), order=order, status=DisputeStatus.OPEN
        )
        return {"order": order, "dispute": dispute, "draft": ""}
    draft = request.POST.get("draft", "")
    if not is_issued(request.session, draft):
        raise Http404
    return {"order": order, "dispute": None, "draft": draft}


def _add_to_dispute(request, target, files):
    """Store files onto an open dispute, then record the "evidence added" event.

    Each file is committed on its own, so the order row is never locked while the next
    file is decoded; if the dispute closed meanwhile, the files just stored are deleted.
    """
    result = evidence_service.store_uploads(
        files, buyer=request.user, order=target["order"], dispute=target["dispute"]
    )
    try:
        if result.stored:
            actions.add_evidence(
                dispute=target["dispute"], buyer=request.user, evidence=result.stored
            )
    except DisputeActionError as error:
        for evidence in result.stored:
            evidence.delete()
            evidence_service.delete_files(evidence_service.evidence_file_names(evidence))
        refusals = [
            evidence_service.Refusal(file_name=evidence.original_name, message=error.message)
            for evidence in result.stored
        ]
        return evidence_service.UploadResult(refusals=refusals + result.refusals)
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


def _redirect_back(request, order):
    """Back to the page the panel was on (a local URL only), else the order's page."""
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("orders:detail", number=order.number)


def panel_context(*, order, draft="", dispute=None, refusals=(), next_url=""):
    """The context ``_panel.html`` expects, for the draft or the dispute of ``order``."""
    if dispute is not None:
        evidence_list = dispute.evidence.all()
        upload_target = {"order": order.number, "dispute": dispute.pk}
    else:
        evidence_list = evidence_service.draft_evidence(order.buyer, order, draft)
        upload_target = {"order": order.number, "draft": draft}
    return {
        "evidence_list": evidence_list,
        "upload_target": upload_target,
        "refusals": list(refusals),
        "max_files": settings.EVIDENCE_MAX_FILES,
        "next": next_url,
    }


def _render_panel(request, target, *, refusals=()):
    context = panel_context(
        order=target["order"],
        draft=target["draft"],
        dispute=target["dispute"],
        refusals=refusals,
        next_url=request.POST.get("next", ""),
    )
    return render(request, f"{PANEL_TEMPLATE}#panel", context)


@require_POST
@login_required
def evidence_remove(request):
    """Delete one of the requester's draft evidence files; anything else is a 404."""
    pk = request.POST.get("evidence_pk", "")
    if not pk.isdigit():
        raise Http404
    evidence = get_object_or_404(
        Evidence.objects.select_related("order"),
        pk=int(pk),
        uploaded_by=request.user,
        dispute__isnull=True,
        appeal__isnull=True,
    )
    if not evidence_service.is_draft(evidence):
        raise Http404
    evidence_service.remove_draft_evidence(evidence)
    target = {"order": evidence.order, "draft": evidence.draft_key, "dispute": None}
    if request.htmx:
        return trigger_client_event(_render_panel(request, target), "evidence-changed")
    messages.success(request, _("%(name)s was removed.") % {"name": evidence.original_name})
    return _redirect_back(request, evidence.order)


@require_safe
@login_required
def evidence_file(request, pk, variant):
    """Stream one file of an evidence the requester may see, with headers that keep it inert."""
    if variant not in FILE_VARIANTS:
        raise Http404
    evidence = get_object_or_404(evidence_service.evidence_visible_to(request.user), pk=pk)
    if variant == "video":
        if evidence.kind != EvidenceKind.VIDEO:
            raise Http404
        response = _ranged_response(request, evidence.original, evidence.mime)
        response["Content-Disposition"] = "inline"
    elif variant == "original":
        response = _ranged_response(request, evidence.original, evidence.mime)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=evidence.original_name
        )
    else:
        field_file = getattr(evidence, variant)
        if not field_file:
            raise Http404
        response = FileResponse(evidence_storage().open(field_file.name), content_type="image/jpeg")
        response["Content-Disposition"] = "inline"
    return _private(response)


def _private(response):
    """Headers for every evidence file: never sniffed, never shared, never a document."""
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly, a file runs nothing: no scripts, no plugins, no same-origin access.
    response["Content-Security-Policy"] = "default-src 'none'; media-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _ranged_response(request, field_file, content_type):
    """The whole file (200), or the single byte range asked for (206), or 416."""
    storage = evidence_storage()
    size = storage.size(field_file.name)
    byte_range = _requested_range(request.headers.get("Range", ""), size)
    if byte_range is None:
        response = FileResponse(storage.open(field_file.name), content_type=content_type)
    elif byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    else:
        start, end = byte_range
        response = StreamingHttpResponse(
            _read_range(storage, field_file.name, start, end - start + 1),
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _requested_range(header, size):
    """Parse one ``bytes=`` range into inclusive ``(start, end)``; None serves the whole file.

    Several ranges, or a malformed header, are ignored as RFC 9110 allows.
    """
    match = RANGE_PATTERN.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        return "unsatisfiable"
    if end < start:
        return None
    return start, end


def _read_range(storage, name, start, length):
    """Yield ``length`` bytes of the stored file from ``start``, a chunk at a time."""
    with storage.open(name) as stream:
        stream.seek(start)
        while length > 0:
            chunk = stream.read(min(STREAM_CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
