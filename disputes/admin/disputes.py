"""A dispute's page for the mediators: both parties' sides, read-only, and the actions a
mediator takes on it (ask for information, add an internal note, write to both parties,
decide), each through ``disputes.actions`` so it is recorded with its mediator and time."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from accounts.admin import MediatorReadOnlyMixin
from accounts.models import User
from disputes import actions, deadlines, refunds, statistics, timeline
from disputes.errors import DisputeActionError
from disputes.evidence.admin import EvidenceInline
from disputes.evidence.admin import preview as evidence_preview
from disputes.forms import (
    REFUND_AFTER_RETURN,
    AssignForm,
    DecisionForm,
    InformationRequestForm,
    MediatorMessageForm,
)
from disputes.models import (
    Dispute,
    DisputeEvent,
    DisputeMessage,
    RefundInstruction,
    RefundStatus,
)
from disputes.parties import MEDIATOR, Party
from disputes.stages import Stage

from .action_form import MediatorRequest, action_page, form_with_saved_reply, mediators_only
from .next_step import next_step_in_words, waits_on_mediators
from .queue import DisputeQueueAdmin


@dataclass(frozen=True)
class DisputeAction:
    """A mediator's action on a dispute: its page (URL and template), its link and the
    page's title, when it is offered, and what the mediator reads once it is done."""

    url_name: str
    template: str
    label: StrOrPromise
    title: StrOrPromise
    available: Callable[[Dispute], bool]
    done_message: StrOrPromise


REQUEST_INFORMATION = DisputeAction(
    url_name="admin:disputes_dispute_request_information",
    template="admin/disputes/dispute/request_information.html",
    label=_("Ask for information"),
    title=_("Ask for information on order %(number)s"),
    available=waits_on_mediators,
    done_message=_("The request is in the conversation, and the party asked is told."),
)
NOTE = DisputeAction(
    url_name="admin:disputes_dispute_note",
    template="admin/disputes/dispute/note.html",
    label=_("Add an internal note"),
    title=_("Add an internal note on order %(number)s"),
    # A note is for the mediators' own record: it can be added to any dispute, even closed.
    available=lambda dispute: True,
    done_message=_("The internal note is added: only mediators see it."),
)
MESSAGE = DisputeAction(
    url_name="admin:disputes_dispute_message",
    template="admin/disputes/dispute/message.html",
    label=_("Write to both parties"),
    title=_("Write to both parties on order %(number)s"),
    available=lambda dispute: dispute.is_open,
    done_message=_("The message is in the conversation, and the parties are told."),
)
DECIDE = DisputeAction(
    url_name="admin:disputes_dispute_decide",
    template="admin/disputes/dispute/decide.html",
    label=_("Decide"),
    title=_("Decide the dispute on order %(number)s"),
    available=waits_on_mediators,
    done_message=_("The decision is recorded and the buyer is told."),
)
ASSIGN = DisputeAction(
    url_name="admin:disputes_dispute_assign",
    template="admin/disputes/dispute/assign.html",
    label=_("Assign"),
    title=_("Assign the dispute on order %(number)s"),
    # Who handles a dispute matters while it is open, and for its appeal after.
    available=lambda dispute: True,
    done_message=_("The dispute is assigned."),
)
SETTLE_REFUND = DisputeAction(
    url_name="admin:disputes_dispute_settle_refund",
    template="admin/disputes/dispute/settle_refund.html",
    label=_("Settled with the marketplace"),
    title=_("Settle the refund above the outcome on order %(number)s"),
    available=lambda dispute: refunds.excess_of(dispute) > dispute.refund_settled,
    done_message=_("Recorded as settled: the dispute leaves the refunds to settle."),
)
# In the order a dispute's page offers them.
DISPUTE_ACTIONS = (REQUEST_INFORMATION, NOTE, MESSAGE, DECIDE, ASSIGN, SETTLE_REFUND)


class DisputeEventInline(MediatorReadOnlyMixin, admin.TabularInline[DisputeEvent, Dispute]):
    """The timeline in sentences: when, who (or the deadline), and what happened."""

    model = DisputeEvent
    readonly_fields = ("created_at", "who", "what_happened")
    fields = readonly_fields
    extra = 0
    verbose_name_plural = _("Timeline")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DisputeEvent]:
        return super().get_queryset(request).select_related("actor", "dispute__order__seller")

    @admin.display(description=_("who"))
    def who(self, event: DisputeEvent) -> str:
        return timeline.who(event.actor, event.dispute.order)

    @admin.display(description=_("what happened"))
    def what_happened(self, event: DisputeEvent) -> str:
        return timeline.describe(event, event.dispute.order)


class RefundInstructionInline(
    MediatorReadOnlyMixin, admin.TabularInline[RefundInstruction, Dispute]
):
    """The refunds the dispute's outcomes instructed, as the marketplace reported them; a
    failed one can be instructed again (a page of its own, a POST)."""

    model = RefundInstruction
    readonly_fields = (
        "public_id",
        "amount_paid_back",
        "status",
        "instructed_at",
        "reference",
        "executed_at",
        "failure_reason",
        "instruct_again",
    )
    fields = readonly_fields
    extra = 0
    verbose_name_plural = _("Refunds")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RefundInstruction]:
        return super().get_queryset(request).select_related("order")

    @admin.display(description=_("amount"))
    def amount_paid_back(self, refund: RefundInstruction) -> str:
        return timeline.money(refund.amount, refund.order)

    @admin.display(description=_("what to do"))
    def instruct_again(self, refund: RefundInstruction) -> SafeString | str:
        if refund.status != RefundStatus.FAILED:
            return ""
        url = reverse(
            "admin:disputes_dispute_instruct_refund_again", args=[refund.dispute_id, refund.pk]
        )
        return format_html('<a href="{}">{}</a>', url, _("Instruct again"))


class DisputeMessageInline(MediatorReadOnlyMixin, admin.TabularInline[DisputeMessage, Dispute]):
    """The conversation as the parties and mediators wrote it, internal notes marked."""

    model = DisputeMessage
    readonly_fields = ("sent_at", "author_role", "seen_by", "body", "files")
    fields = readonly_fields
    extra = 0
    verbose_name_plural = _("Conversation and internal notes")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DisputeMessage]:
        return (
            super()
            .get_queryset(request)
            .select_related("author", "dispute__order__seller")
            .prefetch_related("evidence")
        )

    @admin.display(description=_("from"))
    def author_role(self, message: DisputeMessage) -> str:
        return timeline.who(message.author, message.dispute.order)

    @admin.display(description=_("seen by"))
    def seen_by(self, message: DisputeMessage) -> StrOrPromise:
        if message.internal:
            return format_html("<strong>{}</strong>", _("Internal note: mediators only"))
        return _("Both parties")

    @admin.display(description=_("files"))
    def files(self, message: DisputeMessage) -> str:
        return ", ".join(evidence.original_name for evidence in message.evidence.all())


class DisputeAdmin(DisputeQueueAdmin):
    """The mediators' queue (``DisputeQueueAdmin``) and a dispute's page: both parties'
    sides, read-only, and a page for each of ``DISPUTE_ACTIONS``."""

    fieldsets = [
        (_("Order"), {"fields": ["order_link", "buyer", "seller_account", "price_paid"]}),
        (
            _("The buyer's request"),
            {"fields": ["reason", "buyer_request", "description", "opened_at"]},
        ),
        (
            _("The seller's answer"),
            {
                "fields": [
                    "seller_offer",
                    "seller_statement",
                    # A parcel that never arrived (PRODUCT.md §2a).
                    "delivery_carrier",
                    "delivery_tracking_number",
                    "delivery_extended_to",
                    "extension_accepted_at",
                ]
            },
        ),
        (
            _("Where it stands"),
            {
                "fields": [
                    "status",
                    "stage",
                    "next_step",
                    "escalated_at",
                    "escalation_reason",
                    "assigned_to",
                    "new_information_since",
                ]
            },
        ),
        (
            _("The return"),
            {
                "fields": [
                    "return_asked_by",
                    "return_address",
                    "return_carrier",
                    "return_tracking_number",
                    "return_shipped_at",
                    "return_problem",
                ]
            },
        ),
        (
            _("Outcome"),
            {
                "fields": [
                    "outcome",
                    "refund_granted",
                    "decision_reason",
                    "decision_note",
                    "decided_by",
                    "decided_at",
                    "cancelled_at",
                ]
            },
        ),
    ]
    fieldsets += [
        (
            _("Signals: the parties' disputes of the last 90 days"),
            {
                "fields": ["party_signals"],
                "description": _("Context for the mediator, never a reason to decide."),
            },
        )
    ]
    readonly_fields = flatten_fieldsets(fieldsets)
    actions = ["assign_to_me", "assign_to_mediator"]
    inlines = [EvidenceInline, RefundInstructionInline, DisputeMessageInline, DisputeEventInline]
    change_form_template = "admin/disputes/dispute/change_form.html"

    @admin.display(description=_("order"))
    def order_link(self, dispute: Dispute) -> SafeString:
        url = reverse("admin:orders_order_change", args=[dispute.order_id])
        return format_html(
            '<a href="{}">{}</a> — {}', url, dispute.order.number, dispute.order.item
        )

    @admin.display(description=_("price paid"))
    def price_paid(self, dispute: Dispute) -> str:
        return timeline.money(dispute.order.price, dispute.order)

    @admin.display(description=_("seller"))
    def seller_account(self, dispute: Dispute) -> str:
        seller = dispute.order.seller
        if seller.user is None:
            return _("%(name)s (no account: cannot answer in the app)") % {"name": seller.name}
        return _("%(name)s (account: %(username)s)") % {
            "name": seller.name,
            "username": seller.user.get_username(),
        }

    @admin.display(description=_("request"))
    def buyer_request(self, dispute: Dispute) -> str:
        amount = dispute.requested_amount or dispute.order.price
        return _("%(request)s: %(amount)s") % {
            "request": dispute.get_refund_request_display(),
            "amount": timeline.money(amount, dispute.order),
        }

    @admin.display(description=_("seller's offer"))
    def seller_offer(self, dispute: Dispute) -> str:
        if dispute.offer_amount is None:
            return self.get_empty_value_display()
        return _("A partial refund of %(amount)s") % {
            "amount": timeline.money(dispute.offer_amount, dispute.order)
        }

    @admin.display(description=_("refund granted"))
    def refund_granted(self, dispute: Dispute) -> str:
        amount = dispute.refunded_amount
        if amount is None:
            return self.get_empty_value_display()
        return timeline.money(amount, dispute.order)

    @admin.display(description=_("signals"))
    def party_signals(self, dispute: Dispute) -> SafeString:
        # The template escapes what it writes.
        return mark_safe(
            render_to_string(
                "admin/disputes/dispute/signals.html",
                {"signals": statistics.party_signals(dispute, now=timezone.now())},
            )
        )

    @admin.action(description=_("Assign the selected disputes to me"))
    def assign_to_me(self, request: MediatorRequest, disputes: QuerySet[Dispute]) -> None:
        self.assign(request, disputes, request.user)

    @admin.action(description=_("Assign the selected disputes to a mediator…"))
    def assign_to_mediator(
        self, request: MediatorRequest, disputes: QuerySet[Dispute]
    ) -> HttpResponse | None:
        """A page to choose the mediator; posted back with ``assign``, it assigns."""
        form = AssignForm(request.POST if "assign" in request.POST else None)
        if form.is_valid():
            self.assign(request, disputes, form.cleaned_data["assignee"])
            return None
        fieldsets = [(None, {"fields": list(form.base_fields)})]
        return TemplateResponse(
            request,
            "admin/disputes/dispute/assign_selected.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Assign to a mediator"),
                "disputes": disputes.select_related("order", "assigned_to"),
                "adminform": helpers.AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def assign(
        self, request: MediatorRequest, disputes: QuerySet[Dispute], assignee: User | None
    ) -> None:
        for dispute in disputes:
            try:
                actions.assign_dispute(dispute=dispute, mediator=request.user, assignee=assignee)
            except DisputeActionError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
        count = len(disputes)
        self.message_user(
            request,
            ngettext("%(count)s dispute assigned.", "%(count)s disputes assigned.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Dispute | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context["mediator_actions"] = [
                {"url": reverse(action.url_name, args=[obj.pk]), "label": action.label}
                for action in DISPUTE_ACTIONS
                if action.available(obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/assign/",
                admin_view(mediators_only(self.assign_view)),
                name="disputes_dispute_assign",
            ),
            path(
                "<int:pk>/new-information-read/",
                admin_view(mediators_only(require_POST(self.new_information_read_view))),
                name="disputes_dispute_new_information_read",
            ),
            path(
                "statistics/",
                admin_view(mediators_only(self.statistics_view)),
                name="disputes_dispute_statistics",
            ),
            path(
                "<int:pk>/request-information/",
                admin_view(mediators_only(self.request_information_view)),
                name="disputes_dispute_request_information",
            ),
            path(
                "<int:pk>/note/",
                admin_view(mediators_only(self.note_view)),
                name="disputes_dispute_note",
            ),
            path(
                "<int:pk>/message/",
                admin_view(mediators_only(self.message_view)),
                name="disputes_dispute_message",
            ),
            path(
                "<int:pk>/decide/",
                admin_view(mediators_only(self.decide_view)),
                name="disputes_dispute_decide",
            ),
            path(
                "<int:pk>/settle-refund/",
                admin_view(mediators_only(self.settle_refund_view)),
                name="disputes_dispute_settle_refund",
            ),
            path(
                "<int:pk>/refunds/<int:refund_pk>/instruct-again/",
                admin_view(mediators_only(self.instruct_refund_again_view)),
                name="disputes_dispute_instruct_refund_again",
            ),
            *super().get_urls(),
        ]

    def assign_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        return self.dispute_action_page(
            request,
            ASSIGN,
            dispute=dispute,
            form=AssignForm(
                request.POST or None,
                initial={"assignee": dispute.assigned_to_id or request.user.pk},
            ),
            act=lambda data: actions.assign_dispute(
                dispute=dispute, mediator=request.user, assignee=data["assignee"]
            ),
        )

    def new_information_read_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        try:
            actions.mark_new_information_read(dispute=dispute, mediator=request.user)
        except DisputeActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The new information is marked read."))
        return redirect("admin:disputes_dispute_change", dispute.pk)

    def statistics_view(self, request: MediatorRequest) -> HttpResponse:
        now = timezone.now()
        since = statistics.first_week(now)
        sellers = statistics.SellerSort.of(request.GET.get("sort"))
        return TemplateResponse(
            request,
            "admin/disputes/dispute/statistics.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Statistics"),
                "weeks": statistics.weekly_counts(now=now),
                "since": since,
                "time_to_decision": statistics.time_to_decision(since=since),
                "overdue": statistics.overdue_count(now=now),
                "reasons": statistics.decision_reason_counts(since=since),
                "sellers": statistics.seller_rates(now=now, sort=sellers),
                "sort": sellers,
                "sorts": list(statistics.SellerSort),
            },
        )

    def request_information_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        seller_can_answer = dispute.order.seller.user_id is not None
        asked = request.POST.get("party")
        form = form_with_saved_reply(
            request,
            dispute,
            lambda data, initial: InformationRequestForm(
                data, initial=initial, seller_can_answer=seller_can_answer
            ),
            reader=asked if asked in Party.values else None,
        )
        return self.dispute_action_page(
            request,
            REQUEST_INFORMATION,
            dispute=dispute,
            form=form,
            act=lambda data: actions.request_information(
                dispute=dispute,
                mediator=request.user,
                party=data["party"],
                message=data["message"],
            ),
            context={
                "information_days": deadlines.StageDays.from_settings().for_stage(
                    Stage.INFORMATION_REQUESTED
                ),
                "reply_by": deadlines.stage_deadline(Stage.INFORMATION_REQUESTED, timezone.now()),
            },
        )

    def note_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        return self.dispute_action_page(
            request,
            NOTE,
            dispute=dispute,
            form=form_with_saved_reply(
                request,
                dispute,
                lambda data, initial: MediatorMessageForm(
                    data, initial=initial, label=_("Internal note")
                ),
                reader=MEDIATOR,
            ),
            act=lambda data: actions.post_message(
                dispute=dispute, author=request.user, body=data["body"], internal=True
            ),
        )

    def message_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        return self.dispute_action_page(
            request,
            MESSAGE,
            dispute=dispute,
            form=form_with_saved_reply(
                request,
                dispute,
                lambda data, initial: MediatorMessageForm(
                    data, initial=initial, label=_("Message to both parties")
                ),
                reader=None,
            ),
            act=lambda data: actions.post_message(
                dispute=dispute, author=request.user, body=data["body"], internal=False
            ),
        )

    def decide_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        return self.dispute_action_page(
            request,
            DECIDE,
            dispute=dispute,
            form=form_with_saved_reply(
                request,
                dispute,
                lambda data, initial: DecisionForm(data, initial=initial, dispute=dispute),
                reader=Party.BUYER,
            ),
            act=lambda data: (
                actions.decide_refund_after_return(
                    dispute=dispute,
                    mediator=request.user,
                    reason=data["reason"],
                    note=data["note"],
                )
                if data["outcome"] == REFUND_AFTER_RETURN
                else actions.decide_dispute(
                    dispute=dispute,
                    mediator=request.user,
                    outcome=data["outcome"],
                    refund_amount=data["refund_amount"],
                    reason=data["reason"],
                    note=data["note"],
                )
            ),
            # What the decision rests on, beside it.
            context={
                "evidence": [
                    (timeline.who(item.uploaded_by, dispute.order), item, evidence_preview(item))
                    for item in dispute.evidence.select_related("uploaded_by").order_by(
                        "uploaded_at", "pk"
                    )
                ]
            },
        )

    def settle_refund_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        """Confirm that what was refunded above the outcome is settled with the marketplace."""
        dispute = self.dispute_to_act_on(pk)
        return self.dispute_action_page(
            request,
            SETTLE_REFUND,
            dispute=dispute,
            # No field but the confirmation: an empty POST is the mediator's yes.
            form=forms.Form(request.POST if request.method == "POST" else None),
            act=lambda data: refunds.settle_excess(dispute=dispute, mediator=request.user),
            context={"excess": timeline.money(refunds.excess_of(dispute), dispute.order)},
        )

    def instruct_refund_again_view(
        self, request: MediatorRequest, pk: int, refund_pk: int
    ) -> HttpResponse:
        """Confirm, then instruct a failed refund again under a new id."""
        # dispute__pk, not dispute: an id beyond the database's integers finds nothing,
        # as for the refund's own pk, instead of overflowing the foreign key's lookup.
        refund = get_object_or_404(
            RefundInstruction.objects.select_related("dispute__order"),
            pk=refund_pk,
            dispute__pk=pk,
        )
        dispute = refund.dispute
        return action_page(
            request,
            model_admin=self,
            obj=dispute,
            # No field but the confirmation: an empty POST is the mediator's yes.
            form=forms.Form(request.POST if request.method == "POST" else None),
            act=lambda data: refunds.instruct_again(refund=refund, mediator=request.user),
            done_message=_("The refund is instructed again, under a new id."),
            done_url=reverse("admin:disputes_dispute_change", args=[dispute.pk]),
            template="admin/disputes/dispute/instruct_refund_again.html",
            context={
                "title": _("Instruct the refund on order %(number)s again")
                % {"number": dispute.order.number},
                "can_act": refund.status == RefundStatus.FAILED,
                "refund": refund,
                "next_step": next_step_in_words(dispute, timezone.now()),
            },
        )

    def dispute_to_act_on(self, pk: int) -> Dispute:
        dispute: Dispute = get_object_or_404(
            Dispute.objects.select_related("order__buyer", "order__seller"), pk=pk
        )
        return dispute

    def dispute_action_page(
        self,
        request: HttpRequest,
        action: DisputeAction,
        *,
        dispute: Dispute,
        form: forms.Form,
        act: Callable[[dict[str, Any]], object],
        context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The page of ``action`` on ``dispute``: where the dispute stands, then ``form``."""
        return action_page(
            request,
            model_admin=self,
            obj=dispute,
            form=form,
            act=act,
            done_message=action.done_message,
            done_url=reverse("admin:disputes_dispute_change", args=[dispute.pk]),
            template=action.template,
            context={
                "title": action.title % {"number": dispute.order.number},
                "can_act": action.available(dispute),
                "next_step": next_step_in_words(dispute, timezone.now()),
                **(context or {}),
            },
        )
