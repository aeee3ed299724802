"""A dispute's page for the mediators: both parties' sides, read-only, and the actions a
mediator takes on it (ask for information, add an internal note, write to both parties,
decide), each through ``disputes.actions`` so it is recorded with its mediator and time."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.admin import MediatorReadOnlyMixin
from disputes import actions, deadlines, refunds, timeline
from disputes.evidence.admin import EvidenceInline
from disputes.forms import (
    REFUND_AFTER_RETURN,
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
from disputes.stages import Stage

from .action_form import MediatorRequest, action_page, mediators_only
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
# In the order a dispute's page offers them.
DISPUTE_ACTIONS = (REQUEST_INFORMATION, NOTE, MESSAGE, DECIDE)


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
            {"fields": ["status", "stage", "next_step", "escalated_at", "escalation_reason"]},
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
                    "decision_note",
                    "decided_by",
                    "decided_at",
                    "cancelled_at",
                ]
            },
        ),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)
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
                "<int:pk>/refunds/<int:refund_pk>/instruct-again/",
                admin_view(mediators_only(self.instruct_refund_again_view)),
                name="disputes_dispute_instruct_refund_again",
            ),
            *super().get_urls(),
        ]

    def request_information_view(self, request: MediatorRequest, pk: int) -> HttpResponse:
        dispute = self.dispute_to_act_on(pk)
        form = InformationRequestForm(
            request.POST or None, seller_can_answer=dispute.order.seller.user_id is not None
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
            form=MediatorMessageForm(request.POST or None, label=_("Internal note")),
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
            form=MediatorMessageForm(request.POST or None, label=_("Message to both parties")),
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
            form=DecisionForm(request.POST or None),
            act=lambda data: (
                actions.decide_refund_after_return(
                    dispute=dispute, mediator=request.user, note=data["note"]
                )
                if data["outcome"] == REFUND_AFTER_RETURN
                else actions.decide_dispute(
                    dispute=dispute,
                    mediator=request.user,
                    outcome=data["outcome"],
                    refund_amount=data["refund_amount"],
                    note=data["note"],
                )
            ),
        )

    def instruct_refund_again_view(
        self, request: MediatorRequest, pk: int, refund_pk: int
    ) -> HttpResponse:
        """Confirm, then instruct a failed refund again under a new id."""
        refund = get_object_or_404(
            RefundInstruction.objects.select_related("dispute__order"), pk=refund_pk, dispute=pk
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
