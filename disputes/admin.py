"""The mediators' workplace: a queue of disputes and one of appeals, decided through actions.

Everything a buyer submitted is read-only here; the only changes are decisions and
answers, made through ``disputes.actions`` so each one is an event with its mediator.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import MediatorReadOnlyMixin

from . import actions
from .evidence.admin import EvidenceInline
from .forms import AppealAnswerForm, DecisionForm
from .models import Appeal, Dispute, DisputeEvent, DisputeStatus, Evidence


class MediatorActionMixin:
    """An admin page of the model's own where a mediator acts through ``disputes.actions``.

    The form is rendered as the admin renders its own (``AdminForm``); a refused action
    shows its message above the form, and a done one returns to the object's page.
    """

    def action_view(self, request, *, obj, form, act, done_message, template, **context):
        if request.method == "POST" and form.is_valid():
            try:
                act(form.cleaned_data)
            except actions.DisputeActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, done_message)
                info = self.opts.app_label, self.opts.model_name
                return redirect("admin:{}_{}_change".format(*info), obj.pk)
        fieldsets = [(None, {"fields": list(form.base_fields)})]
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "adminform": AdminForm(form, fieldsets, {}),
                "form": form,
                **context,
            },
        )


class DisputeEventInline(MediatorReadOnlyMixin, admin.TabularInline):
    model = DisputeEvent
    fields = ["created_at", "kind", "actor", "details"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Timeline")


class AgeFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"
    buckets = {
        "lt2": (_("Under 2 days"), 0, 2),
        "2to7": (_("2 to 7 days"), 2, 7),
        "gt7": (_("Over 7 days"), 7, None),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _low, _high) in self.buckets.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.buckets:
            return queryset
        _label, low, high = self.buckets[self.value()]
        now = timezone.now()
        queryset = queryset.filter(opened_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(opened_at__gt=now - timedelta(days=high))
        return queryset


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue opens on the disputes waiting for a decision; the others are one click away."""

    title = _("status")
    parameter_name = "status"
    default = DisputeStatus.OPEN
    everything = "all"

    def lookups(self, request, model_admin):
        return [*DisputeStatus.choices, (self.everything, _("All"))]

    def choices(self, changelist):
        selected = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        selected = self.value() or self.default
        if selected == self.everything:
            return queryset
        return queryset.filter(status=selected)


@admin.register(Dispute)
class DisputeAdmin(MediatorActionMixin, MediatorReadOnlyMixin, admin.ModelAdmin):
    """The dispute queue. Decisions go through the decide view, which records who and when."""

    list_display = [
        "order_number",
        "buyer",
        "reason",
        "refund_request",
        "status",
        "outcome",
        "opened_at",
        "evidence_count",
    ]
    list_filter = [QueueStatusFilter, "reason", AgeFilter, "outcome"]
    search_fields = ["order__number", "order__buyer__username", "order__buyer__email"]
    list_select_related = ["order__buyer"]
    # One COUNT per page view, not two: the queue is filtered far more often than not.
    show_full_result_count = False
    # Oldest first: whoever waited longest is decided first.
    ordering = ["opened_at"]
    list_per_page = 50
    readonly_fields = [
        "order_link",
        "buyer",
        "status",
        "reason",
        "refund_request",
        "requested_amount",
        "price_paid",
        "description",
        "opened_at",
        "cancelled_at",
        "outcome",
        "refund_amount",
        "decision_note",
        "decided_by",
        "decided_at",
    ]
    fields = readonly_fields
    inlines = [EvidenceInline, DisputeEventInline]
    change_form_template = "admin/disputes/dispute/change_form.html"

    def get_queryset(self, request):
        # A count per listed row, not a JOIN and GROUP BY over every dispute: the page's
        # 100 rows are then read in queue order straight from dispute_admin_queue_idx.
        evidence_total = (
            Evidence.objects.filter(dispute=OuterRef("pk"))
            .order_by()
            .values("dispute")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(evidence_total=Coalesce(Subquery(evidence_total), 0))
        )

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, dispute):
        return dispute.order.number

    @admin.display(description=_("order"))
    def order_link(self, dispute):
        url = reverse("admin:orders_order_change", args=[dispute.order_id])
        return format_html(
            '<a href="{}">{}</a> — {}', url, dispute.order.number, dispute.order.item
        )

    @admin.display(description=_("price paid"))
    def price_paid(self, dispute):
        return f"{dispute.order.price} {dispute.order.currency}"

    @admin.display(description=_("buyer"), ordering="order__buyer__username")
    def buyer(self, dispute):
        return dispute.order.buyer

    @admin.display(description=_("evidence"), ordering="evidence_total")
    def evidence_count(self, dispute):
        return dispute.evidence_total

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:pk>/decide/", decide, name="disputes_dispute_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        dispute = get_object_or_404(Dispute.objects.select_related("order__buyer"), pk=pk)
        return self.action_view(
            request,
            obj=dispute,
            form=DecisionForm(request.POST or None),
            act=lambda data: actions.decide_dispute(
                dispute=dispute,
                mediator=request.user,
                outcome=data["outcome"],
                refund_amount=data["refund_amount"],
                note=data["note"],
            ),
            done_message=_("The decision is recorded and the buyer is told."),
            template="admin/disputes/dispute/decide.html",
            title=_("Decide the dispute on order %(number)s") % {"number": dispute.order.number},
            can_act=dispute.status == DisputeStatus.OPEN,
        )


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for an answer")), ("yes", _("Answered"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(answered_at__isnull=self.value() == "no")
        return queryset


@admin.register(Appeal)
class AppealAdmin(MediatorActionMixin, MediatorReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order_number", "buyer", "outcome", "sent_at", "answered_at"]
    list_filter = [AnsweredFilter]
    search_fields = [
        "dispute__order__number",
        "dispute__order__buyer__username",
        "dispute__order__buyer__email",
    ]
    list_select_related = ["dispute__order__buyer"]
    ordering = ["answered_at", "sent_at"]
    readonly_fields = [
        "dispute_link",
        "buyer",
        "outcome",
        "message",
        "sent_at",
        "answer",
        "answered_by",
        "answered_at",
    ]
    fields = readonly_fields
    inlines = [EvidenceInline]
    change_form_template = "admin/disputes/appeal/change_form.html"

    @admin.display(description=_("order"), ordering="dispute__order__number")
    def order_number(self, appeal):
        return appeal.dispute.order.number

    @admin.display(description=_("buyer"))
    def buyer(self, appeal):
        return appeal.dispute.order.buyer

    @admin.display(description=_("decision"))
    def outcome(self, appeal):
        return appeal.dispute.get_outcome_display()

    @admin.display(description=_("dispute"))
    def dispute_link(self, appeal):
        url = reverse("admin:disputes_dispute_change", args=[appeal.dispute_id])
        return format_html('<a href="{}">{}</a>', url, appeal.dispute)

    def get_urls(self):
        answer = self.admin_site.admin_view(self.answer_view)
        return [
            path("<int:pk>/answer/", answer, name="disputes_appeal_answer"),
            *super().get_urls(),
        ]

    def answer_view(self, request, pk):
        appeal = get_object_or_404(Appeal.objects.select_related("dispute__order__buyer"), pk=pk)
        return self.action_view(
            request,
            obj=appeal,
            form=AppealAnswerForm(request.POST or None),
            act=lambda data: actions.answer_appeal(
                appeal=appeal, mediator=request.user, answer=data["answer"]
            ),
            done_message=_("The answer is recorded and the buyer is told."),
            template="admin/disputes/appeal/answer.html",
            title=_("Answer the appeal on order %(number)s")
            % {"number": appeal.dispute.order.number},
            can_act=not appeal.is_answered,
        )
