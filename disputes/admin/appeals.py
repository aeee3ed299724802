"""The appeals of decided disputes: a queue of their own, and a page to answer each."""

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.admin import MediatorReadOnlyMixin
from accounts.models import User
from disputes import actions
from disputes.evidence.admin import EvidenceInline
from disputes.forms import AppealAnswerForm
from disputes.models import Appeal

from .action_form import MediatorRequest, action_page, form_with_saved_reply, mediators_only


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Waiting for an answer")), ("yes", _("Answered"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Appeal]) -> QuerySet[Appeal]:
        if self.value() in ("yes", "no"):
            return queryset.filter(answered_at__isnull=self.value() == "no")
        return queryset


class AppealAdmin(MediatorReadOnlyMixin, admin.ModelAdmin[Appeal]):
    """The appeals, unanswered first, each with the decision it appeals and its files."""

    list_display = [
        "order_number",
        "party",
        "buyer",
        "outcome",
        "sent_at",
        "answer_due",
        "answered_at",
        "ruling",
    ]
    list_filter = [AnsweredFilter]
    search_fields = [
        "dispute__order__number",
        "dispute__order__buyer__username",
        "dispute__order__buyer__email",
    ]
    list_select_related = ["dispute__order__buyer"]
    ordering = ["answered_at", "sent_at"]
    readonly_fields = (
        "dispute_link",
        "party",
        "buyer",
        "outcome",
        "message",
        "sent_at",
        "answer_due",
        "ruling",
        "answer",
        "answer_reason",
        "answered_by",
        "answered_at",
    )
    fields = readonly_fields
    inlines = [EvidenceInline]
    change_form_template = "admin/disputes/appeal/change_form.html"

    @admin.display(description=_("order"), ordering="dispute__order__number")
    def order_number(self, appeal: Appeal) -> str:
        return appeal.dispute.order.number

    @admin.display(description=_("buyer"))
    def buyer(self, appeal: Appeal) -> User:
        return appeal.dispute.order.buyer

    @admin.display(description=_("decision"))
    def outcome(self, appeal: Appeal) -> str:
        return appeal.dispute.get_outcome_display()

    @admin.display(description=_("answer expected by"))
    def answer_due(self, appeal: Appeal) -> datetime:
        return appeal.answer_due

    @admin.display(description=_("dispute"))
    def dispute_link(self, appeal: Appeal) -> SafeString:
        url = reverse("admin:disputes_dispute_change", args=[appeal.dispute_id])
        return format_html('<a href="{}">{}</a>', url, appeal.dispute)

    def get_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/answer/",
                admin_view(mediators_only(self.answer_view)),
                name="disputes_appeal_answer",
            ),
            *super().get_urls(),
        ]

    def answer_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        appeal = get_object_or_404(Appeal.objects.select_related("dispute__order__buyer"), pk=pk)
        return action_page(
            request,
            model_admin=self,
            obj=appeal,
            # The answer is read by both parties: a saved reply is written in each one's
            # language.
            form=form_with_saved_reply(
                request,
                appeal.dispute,
                lambda data, initial: AppealAnswerForm(data, initial=initial),
                reader=None,
            ),
            act=lambda data: actions.answer_appeal(
                appeal=appeal,
                mediator=request.user,
                answer=data["answer"],
                reason=data["reason"],
                outcome=data["outcome"],
                refund_amount=data["refund_amount"],
            ),
            done_message=_("The answer is recorded and both parties are told."),
            done_url=reverse("admin:disputes_appeal_change", args=[appeal.pk]),
            template="admin/disputes/appeal/answer.html",
            context={
                "title": _("Answer the appeal on order %(number)s")
                % {"number": appeal.dispute.order.number},
                "can_act": not appeal.is_answered,
            },
        )
