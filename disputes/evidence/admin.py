"""Evidence previews for mediators: an inline that shows, plays and downloads, never edits."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.admin import MediatorReadOnlyMixin
from disputes import timeline
from disputes.models import Evidence, EvidenceKind

from .sizes import megabytes


def _file_url(evidence, variant):
    return reverse("disputes:evidence_file", args=[evidence.pk, variant])


def preview(evidence: Evidence) -> SafeString:
    """A video's player, or a photo's thumbnail linking to it: the dispute's page and the
    decision's show each file so."""
    if evidence.kind == EvidenceKind.VIDEO:
        return format_html(
            '<video controls preload="metadata" width="320" poster="{}" src="{}"></video>',
            _file_url(evidence, "display"),
            _file_url(evidence, "video"),
        )
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="160"></a>',
        _file_url(evidence, "display"),
        _file_url(evidence, "thumbnail"),
        evidence.original_name,
    )


class EvidenceInline(MediatorReadOnlyMixin, admin.TabularInline):
    """Read-only evidence of a dispute or an appeal, each file with who sent it (buyer or
    seller): mediators cannot change what a party sent."""

    model = Evidence
    extra = 0
    can_delete = False
    show_change_link = False
    fields = [
        "preview",
        "uploader",
        "original_name",
        "kind",
        "mime",
        "size_mb",
        "fingerprint",
        "uploaded_at",
        "download",
    ]
    readonly_fields = fields
    ordering = ["uploaded_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "order__seller")

    @admin.display(description=_("uploaded by"))
    def uploader(self, evidence):
        return timeline.who(evidence.uploaded_by, evidence.order)

    @admin.display(description=_("preview"))
    def preview(self, evidence):
        return preview(evidence) if evidence.pk is not None else ""

    @admin.display(description=_("SHA-256"))
    def fingerprint(self, evidence):
        """The first 12 hex digits, the whole digest on hover: the table fits a laptop."""
        return format_html('<abbr title="{}">{}…</abbr>', evidence.sha256, evidence.sha256[:12])

    @admin.display(description=_("size"))
    def size_mb(self, evidence):
        return _("%(size)s MB") % {"size": megabytes(evidence.size)}

    @admin.display(description=_("original"))
    def download(self, evidence):
        if evidence.pk is None:
            return ""
        return format_html(
            '<a href="{}" download>{}</a>', _file_url(evidence, "original"), _("Download")
        )
