"""The mediators' workplace: a queue of disputes and one of appeals, acted on through actions.

Everything a party submitted is read-only here; the only changes are the mediators' own
(information requests, messages, internal notes, decisions and answers), made through
``disputes.actions`` so each one is recorded with its mediator and time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partialmethod

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import MediatorReadOnlyMixin
from orders import fragments
from orders.models import Order

from . import actions, deadlines, timeline
from .evidence.admin import EvidenceInline
from .forms import AppealAnswerForm, DecisionForm, InformationRequestForm, MediatorMessageForm
from .models import (
    MEDIATOR_STAGES,
    WAITING_ON_MEDIATORS,
    Appeal,
    Dispute,
    DisputeEvent,
    DisputeMessage,
    DisputeStatus,
    Evidence,
    Party,
    Stage,
)

# Who acts next, and by when, as the queue and the dispute page say it.
NEXT_STEPS = {
    (Stage.WAITING_FOR_SELLER, Party.SELLER): _("Seller must answer by %(deadline)s"),
    (Stage.OFFER_WAITING_FOR_BUYER, Party.BUYER): _("Buyer must answer the offer by %(deadline)s"),
    (Stage.WITH_MEDIATOR, deadlines.MEDIATOR): _("Decision expected by %(deadline)s"),
    (Stage.INFORMATION_REQUESTED, Party.BUYER): _("Buyer must reply by %(deadline)s"),
    (Stage.INFORMATION_REQUESTED, Party.SELLER): _("Seller must reply by %(deadline)s"),
}


def waits_on_mediators(dispute):
    """Escalated and still open: a mediator may ask for information or decide."""
    return dispute.is_open and dispute.stage in MEDIATOR_STAGES


def next_step_in_words(dispute, now):
    """Who acts next and by when ("Seller must reply by <date>"), marked once the date has
    passed; the dispute's status once nobody has anything left to do."""
    step = deadlines.next_step(dispute)
    if step.actor is None:
        return dispute.get_status_display()
    deadline = date_format(timezone.localtime(step.deadline), "DATETIME_FORMAT")
    sentence = NEXT_STEPS[dispute.stage, step.actor] % {"deadline": deadline}
    if is_overdue(dispute, now):
        return _("%(next_step)s (overdue)") % {"next_step": sentence}
    return sentence


def is_overdue(dispute, now):
    """Open, and the date its stage expected an answer or a decision by has passed."""
    step = deadlines.next_step(dispute)
    return step.actor is not None and step.deadline < now


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
    """The timeline in sentences: when, who (or the deadline), and what happened."""

    model = DisputeEvent
    fields = ["created_at", "who", "what_happened"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "dispute__order__seller")

    @admin.display(description=_("who"))
    def who(self, event):
        return timeline.who(event.actor, event.dispute.order)

    @admin.display(description=_("what happened"))
    def what_happened(self, event):
        return timeline.describe(event, event.dispute.order)


class DisputeMessageInline(MediatorReadOnlyMixin, admin.TabularInline):
    """The conversation as the parties and mediators wrote it, internal notes marked."""

    model = DisputeMessage
    fields = ["sent_at", "author_role", "seen_by", "body", "files"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Conversation and internal notes")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "dispute__order__seller")
            .prefetch_related("evidence")
        )

    @admin.display(description=_("from"))
    def author_role(self, message):
        return timeline.who(message.author, message.dispute.order)

    @admin.display(description=_("seen by"))
    def seen_by(self, message):
        if message.internal:
            return format_html("<strong>{}</strong>", _("Internal note: mediators only"))
        return _("Both parties")

    @admin.display(description=_("files"))
    def files(self, message):
        return ", ".join(evidence.original_name for evidence in message.evidence.all())


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


class OverdueFilter(admin.SimpleListFilter):
    """Open disputes past their stage's date. For the mediators' own stage that is the date
    a decision was expected (shown, never enforced); a party's deadline acts by itself, so
    a party's stage is overdue only until the worker moves the dispute on."""

    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Deadline passed")), ("no", _("Deadline not passed"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        now = timezone.now()
        queryset = queryset.filter(status=DisputeStatus.OPEN)
        if self.value() == "yes":
            return queryset.filter(stage_deadline__lt=now)
        return queryset.filter(stage_deadline__gte=now)


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits on the mediators; every status is one click away."""

    title = _("status")
    parameter_name = "status"
    waiting = "escalated"
    default = waiting
    everything = "all"

    def lookups(self, request, model_admin):
        return [
            (self.waiting, _("Waiting on the mediators")),
            *DisputeStatus.choices,
            (self.everything, _("All")),
        ]

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
        if selected == self.waiting:
            return queryset.filter(WAITING_ON_MEDIATORS)
        return queryset.filter(status=selected)


class QueueChangeList(ChangeList):
    """The queue's rows read with the columns it shows and no more.

    The disputes are sorted and cut to a page on their own table, then their orders (with
    buyer and seller) read for that page alone: joined in the same query, PostgreSQL
    joined every waiting dispute to the 100,000 orders before sorting them (20 to 35 ms a
    page, most of the queue's time; docs/benchmark.md). One query more, the same for any
    number of disputes.
    """

    dispute_columns = [
        "order",
        "status",
        "reason",
        "stage",
        "stage_deadline",
        "information_requested_from",
        "escalated_at",
        "escalation_reason",
    ]
    orders = Order.objects.select_related("buyer", "seller").only(
        "number", "buyer__username", "seller__name"
    )

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only(*self.dispute_columns)
            .prefetch_related(Prefetch("order", queryset=self.orders))
        )

    def rows_fingerprint(self):
        """The part of the cached table's key (``change_list.html``) that changes with its
        rows: their fields, orders, buyers and sellers (``orders.fragments``), their
        evidence counts, and which deadlines have passed, since a row says "overdue" from
        the minute its date passes."""
        now = timezone.now()
        return fragments.fingerprint(
            self.result_list,
            [(dispute.evidence_total, is_overdue(dispute, now)) for dispute in self.result_list],
        )


@dataclass(frozen=True)
class DisputeAction:
    """A mediator's action on a dispute: its link, its page's title, and when it is offered."""

    label: str
    title: str
    available: Callable[[Dispute], bool]


# Each has a view ``<name>_view``, a URL ``disputes_dispute_<name>`` and a template
# ``admin/disputes/dispute/<name>.html``.
DISPUTE_ACTIONS = {
    "request_information": DisputeAction(
        _("Ask for information"),
        _("Ask for information on order %(number)s"),
        waits_on_mediators,
    ),
    # A note is for the mediators' own record: it can be added to any dispute, even closed.
    "note": DisputeAction(
        _("Add an internal note"),
        _("Add an internal note on order %(number)s"),
        lambda dispute: True,
    ),
    "message": DisputeAction(
        _("Write to both parties"),
        _("Write to both parties on order %(number)s"),
        lambda dispute: dispute.is_open,
    ),
    "decide": DisputeAction(
        _("Decide"), _("Decide the dispute on order %(number)s"), waits_on_mediators
    ),
}


# The queue's count of files per listed row, not a JOIN and GROUP BY over every dispute.
# Built once: a queryset annotated with it resolves a copy, never this expression itself.
EVIDENCE_TOTAL = Coalesce(
    Subquery(
        Evidence.objects.filter(dispute=OuterRef("pk"))
        .order_by()
        .values("dispute")
        .annotate(total=Count("pk"))
        .values("total")
    ),
    0,
)


@admin.register(Dispute)
class DisputeAdmin(MediatorActionMixin, MediatorReadOnlyMixin, admin.ModelAdmin):
    """The mediators' queue and dispute page: both parties' sides, read-only, and the
    actions a mediator takes on them, each through ``disputes.actions`` with who and when."""

    list_display = [
        "order_number",
        "buyer",
        "seller",
        "reason",
        "stage",
        "next_step",
        "escalated_at",
        "escalation_reason",
        "evidence_count",
    ]
    list_filter = [QueueStatusFilter, "stage", "reason", AgeFilter, OverdueFilter, "outcome"]
    search_fields = [
        "order__number",
        "order__buyer__username",
        "order__buyer__email",
        "order__seller__name",
        "order__seller__user__username",
    ]
    # One COUNT per page view, not two: the queue is filtered far more often than not.
    show_full_result_count = False
    # Oldest escalation first: whoever has waited on the mediators longest is decided
    # first. Disputes never escalated (other statuses) come after, oldest first.
    ordering = [F("escalated_at").asc(nulls_last=True), "opened_at"]
    # A mediator works from the top (the oldest escalation) and opens one dispute at a
    # time: 25 rows fill a screen or two, the count above says how many wait, and each row
    # costs the admin's rendering of nine cells (half the page's time at 50 rows).
    list_per_page = 25
    fieldsets = [
        (_("Order"), {"fields": ["order_link", "buyer", "seller_account", "price_paid"]}),
        (
            _("The buyer's request"),
            {"fields": ["reason", "buyer_request", "description", "opened_at"]},
        ),
        (_("The seller's answer"), {"fields": ["seller_offer", "seller_statement"]}),
        (
            _("Where it stands"),
            {"fields": ["status", "stage", "next_step", "escalated_at", "escalation_reason"]},
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
    readonly_fields = [field for _name, options in fieldsets for field in options["fields"]]
    inlines = [EvidenceInline, DisputeMessageInline, DisputeEventInline]
    change_form_template = "admin/disputes/dispute/change_form.html"

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_total=EVIDENCE_TOTAL)

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
        return timeline.money(dispute.order.price, dispute.order)

    @admin.display(description=_("buyer"), ordering="order__buyer__username")
    def buyer(self, dispute):
        return dispute.order.buyer

    @admin.display(description=_("seller"), ordering="order__seller__name")
    def seller(self, dispute):
        return dispute.order.seller

    @admin.display(description=_("seller"))
    def seller_account(self, dispute):
        seller = dispute.order.seller
        if seller.user_id is None:
            return _("%(name)s (no account: cannot answer in the app)") % {"name": seller.name}
        return _("%(name)s (account: %(username)s)") % {
            "name": seller.name,
            "username": seller.user.get_username(),
        }

    @admin.display(description=_("request"))
    def buyer_request(self, dispute):
        amount = dispute.requested_amount or dispute.order.price
        return _("%(request)s: %(amount)s") % {
            "request": dispute.get_refund_request_display(),
            "amount": timeline.money(amount, dispute.order),
        }

    @admin.display(description=_("seller's offer"))
    def seller_offer(self, dispute):
        if dispute.offer_amount is None:
            return self.get_empty_value_display()
        return _("A partial refund of %(amount)s") % {
            "amount": timeline.money(dispute.offer_amount, dispute.order)
        }

    @admin.display(description=_("who acts next"))
    def next_step(self, dispute):
        return next_step_in_words(dispute, timezone.now())

    @admin.display(description=_("refund granted"))
    def refund_granted(self, dispute):
        amount = dispute.refunded_amount
        if amount is None:
            return self.get_empty_value_display()
        return timeline.money(amount, dispute.order)

    @admin.display(description=_("evidence"), ordering="evidence_total")
    def evidence_count(self, dispute):
        return dispute.evidence_total

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["mediator_actions"] = [
                {
                    "url": reverse(f"admin:disputes_dispute_{name}", args=[obj.pk]),
                    "label": action.label,
                }
                for name, action in DISPUTE_ACTIONS.items()
                if action.available(obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            *(
                path(
                    f"<int:pk>/{name.replace('_', '-')}/",
                    self.admin_site.admin_view(getattr(self, f"{name}_view")),
                    name=f"disputes_dispute_{name}",
                )
                for name in DISPUTE_ACTIONS
            ),
            *super().get_urls(),
        ]

    def dispute_action_view(self, request, pk, name, *, form, act, done_message, **context):
        """The page of one of ``DISPUTE_ACTIONS``: ``form`` and ``act`` take the dispute."""
        dispute = get_object_or_404(
            Dispute.objects.select_related("order__buyer", "order__seller"), pk=pk
        )
        action = DISPUTE_ACTIONS[name]
        return self.action_view(
            request,
            obj=dispute,
            form=form(dispute),
            act=lambda data: act(dispute, data),
            done_message=done_message,
            template=f"admin/disputes/dispute/{name}.html",
            title=action.title % {"number": dispute.order.number},
            can_act=action.available(dispute),
            next_step=next_step_in_words(dispute, timezone.now()),
            **context,
        )

    def request_information_view(self, request, pk):
        return self.dispute_action_view(
            request,
            pk,
            "request_information",
            form=lambda dispute: InformationRequestForm(
                request.POST or None, seller_can_answer=dispute.order.seller.user_id is not None
            ),
            act=lambda dispute, data: actions.request_information(
                dispute=dispute,
                mediator=request.user,
                party=data["party"],
                message=data["message"],
            ),
            done_message=_("The request is in the conversation, and the party asked is told."),
            information_days=deadlines.StageDays.from_settings().information,
            reply_by=deadlines.stage_deadline(Stage.INFORMATION_REQUESTED, timezone.now()),
        )

    def _conversation_view(self, request, pk, *, name, internal, label, done_message):
        """A message in the conversation: to both parties, or an internal note."""
        return self.dispute_action_view(
            request,
            pk,
            name,
            form=lambda dispute: MediatorMessageForm(request.POST or None, label=label),
            act=lambda dispute, data: actions.post_message(
                dispute=dispute, author=request.user, body=data["body"], internal=internal
            ),
            done_message=done_message,
        )

    note_view = partialmethod(
        _conversation_view,
        name="note",
        internal=True,
        label=_("Internal note"),
        done_message=_("The internal note is added: only mediators see it."),
    )
    message_view = partialmethod(
        _conversation_view,
        name="message",
        internal=False,
        label=_("Message to both parties"),
        done_message=_("The message is in the conversation, and the parties are told."),
    )

    def decide_view(self, request, pk):
        return self.dispute_action_view(
            request,
            pk,
            "decide",
            form=lambda dispute: DecisionForm(request.POST or None),
            act=lambda dispute, data: actions.decide_dispute(
                dispute=dispute,
                mediator=request.user,
                outcome=data["outcome"],
                refund_amount=data["refund_amount"],
                note=data["note"],
            ),
            done_message=_("The decision is recorded and the buyer is told."),
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
