"""The mediators' queue: the disputes waiting on them first, longest escalated on top,
with filters, a search, and who acts next on each."""

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import WithAnnotations

from accounts.admin import MediatorReadOnlyMixin
from accounts.models import User
from config.fragments import fingerprint
from disputes import deadlines
from disputes.models import WAITING_ON_MEDIATORS, Dispute, DisputeStatus, Evidence, Outcome
from orders.models import Order, Seller

from .next_step import is_overdue, next_step_in_words

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


class EvidenceTotal(TypedDict):
    """The count of files the queue annotates each dispute with."""

    evidence_total: int


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits on the mediators; every status is one click away."""

    title = _("status")
    parameter_name = "status"
    waiting = "escalated"
    default = waiting
    everything = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (self.waiting, _("Waiting on the mediators")),
            *DisputeStatus.choices,
            (self.everything, _("All")),
        ]

    def choices(self, changelist: ChangeList) -> Iterator["_ListFilterChoices"]:
        selected = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        selected = self.value() or self.default
        if selected == self.everything:
            return queryset
        if selected == self.waiting:
            return queryset.filter(WAITING_ON_MEDIATORS)
        return queryset.filter(status=selected)


class AgeFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"
    buckets = {
        "lt2": (_("Under 2 days"), 0, 2),
        "2to7": (_("2 to 7 days"), 2, 7),
        "gt7": (_("Over 7 days"), 7, None),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(key, label) for key, (label, _low, _high) in self.buckets.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        value = self.value()
        if value not in self.buckets:
            return queryset
        _label, low, high = self.buckets[value]
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

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Deadline passed")), ("no", _("Deadline not passed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        if self.value() not in ("yes", "no"):
            return queryset
        now = timezone.now()
        queryset = queryset.filter(status=DisputeStatus.OPEN)
        if self.value() == "yes":
            return queryset.filter(stage_deadline__lt=now)
        return queryset.filter(stage_deadline__gte=now)


class EndedDisputesFilter(admin.SimpleListFilter):
    """A filter whose disputes have all ended: each choice shows every status, since the
    queue opens on what waits on the mediators, where none would be found (after reading
    every waiting dispute to be sure)."""

    parameter_name: str

    def choices(self, changelist: ChangeList) -> Iterator["_ListFilterChoices"]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value, QueueStatusFilter.parameter_name: "all"}
                ),
                "display": label,
            }


class OutcomeFilter(EndedDisputesFilter):
    """How an ended dispute was decided or agreed."""

    title = _("decision")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return Outcome.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        if self.value() in Outcome.values:
            return queryset.filter(outcome=self.value())
        return queryset


class RefundFilter(EndedDisputesFilter):
    """Refunds that need the mediators (PRODUCT.md §4f): not reported executed within
    ``REFUND_EXECUTION_DAYS``, reported failed, or more than the outcome grants since an
    appeal lowered it."""

    title = _("refund")
    parameter_name = "refund"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("late", _("Not reported executed in time")),
            ("failed", _("Failed at the marketplace")),
            ("to_settle", _("To settle with the marketplace")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        disputes = Dispute.objects.all()
        match self.value():
            case "late":
                late_before = deadlines.refunds_late_before(timezone.now())
                needing = disputes.with_late_refund(late_before)
            case "failed":
                needing = disputes.with_failed_refund()
            case "to_settle":
                needing = disputes.refunds_to_settle()
            case _:
                return queryset
        return queryset.filter(pk__in=needing.values("pk"))


class AssignmentFilter(admin.SimpleListFilter):
    """A mediator's own disputes, or those nobody has taken yet."""

    title = _("assigned")
    parameter_name = "assigned"
    mine = "me"
    nobody = "nobody"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.mine, _("Assigned to me")), (self.nobody, _("Unassigned"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        if self.value() == self.mine:
            return queryset.filter(assigned_to=request.user.pk)
        if self.value() == self.nobody:
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class NewInformationFilter(admin.SimpleListFilter):
    """Disputes where a party wrote since a mediator last acted (``disputes.actions``)."""

    title = _("new information")
    parameter_name = "new_information"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("New information")), ("no", _("Nothing new"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        if self.value() in ("yes", "no"):
            return queryset.filter(new_information_since__isnull=self.value() == "no")
        return queryset


class QueuePaginator(Paginator[Dispute]):
    """Counts the queue's disputes up to ``cap``, and knows whether there are more.

    An exact count reads one index entry per dispute it counts: with 200,000 waiting on
    the mediators (the benchmark's data at 100x) that was 35 ms of PostgreSQL on every
    page of the queue, 350 ms read cold, the whole of its database time
    (docs/benchmark.md). Nobody pages through 10,000 disputes: past them the queue says
    "more than 10,000", pages through those, and the filters and the search find the
    rest. Planner estimates were weighed instead: they are wrong by half on a filter,
    and SQLite has none.
    """

    cap = 10_000

    @cached_property
    def counted(self) -> int:
        """The count, read no further than ``cap`` + 1 disputes."""
        # Any cap + 1 keys will do: neither the rows' order nor their annotations (their
        # files' count) are read to count them.
        disputes = cast("QuerySet[Dispute]", self.object_list)  # the admin's, always
        return disputes.values("pk").order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.counted > self.cap

    @property
    def cap_shown(self) -> str:
        """``cap`` as the reader's language groups its digits ("10,000", "10 000")."""
        return number_format(self.cap, force_grouping=True)


class QueueChangeList(ChangeList):
    """The queue's rows read with the columns it shows and no more.

    The disputes are sorted and cut to a page on their own table, then their orders (with
    their buyer) read for that page alone: joined in the same query, PostgreSQL joined
    every waiting dispute to all the orders before sorting them (docs/benchmark.md). One
    query more, the same for any number of disputes. The seller is the dispute's own,
    joined by the admin for its column (each page's few, read by their key).
    """

    dispute_columns = [
        "order",
        "seller__name",
        "status",
        "reason",
        "stage",
        "stage_deadline",
        "information_requested_from",
        "escalated_at",
        "escalation_reason",
        "assigned_to",
        "new_information_since",
    ]

    def get_queryset(
        self, request: HttpRequest, exclude_parameters: list[str | None] | None = None
    ) -> QuerySet[Dispute]:
        orders = Order.objects.select_related("buyer").only("number", "buyer__username")
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only(*self.dispute_columns)
            .prefetch_related(
                Prefetch("order", queryset=orders),
                Prefetch("assigned_to", queryset=User.objects.only("username")),
            )
        )

    def rows_fingerprint(self) -> str:
        """The part of the cached table's key (``change_list.html``) that changes with its
        rows: their fields, orders, buyers and sellers (``config.fragments``), their
        evidence counts, and which deadlines have passed, since a row says "overdue" from
        the minute its date passes."""
        now = timezone.now()
        return fingerprint(
            [
                (
                    dispute,
                    dispute.order,
                    dispute.order.buyer,
                    dispute.seller,
                    dispute.assigned_to,
                    dispute.evidence_total,
                    is_overdue(dispute, now),
                )
                for dispute in self.result_list
            ]
        )


class DisputeQueueAdmin(MediatorReadOnlyMixin, admin.ModelAdmin[Dispute]):
    """The disputes' list in the admin: what the queue shows, filters, searches and sorts."""

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
        "assigned_to",
        "has_new_information",
    ]
    list_filter = [
        QueueStatusFilter,
        AssignmentFilter,
        NewInformationFilter,
        "stage",
        "reason",
        AgeFilter,
        OverdueFilter,
        OutcomeFilter,
        RefundFilter,
    ]
    # What a mediator pastes: get_search_results reads each through its own index. (Listed
    # for the admin's search box.)
    search_fields = [
        "order__number",
        "order__buyer__username",
        "order__buyer__email",
        "seller__name",
        "seller__user__username",
    ]
    search_help_text = _(
        "An order number, a buyer's username or email, or a seller's username, in full; "
        "or part of a seller's name."
    )
    # One COUNT per page view, not two: the queue is filtered far more often than not.
    show_full_result_count = False
    paginator = QueuePaginator
    # Oldest escalation first: whoever has waited on the mediators longest is decided
    # first. Disputes never escalated (other statuses) come after, oldest first.
    ordering = [F("escalated_at").asc(nulls_last=True), "opened_at"]
    # A mediator works from the top (the oldest escalation) and opens one dispute at a
    # time: 25 rows fill a screen or two, the count above says how many wait, and each row
    # costs the admin's rendering of nine cells.
    list_per_page = 25

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The queue's nine columns need the width of a 1280 px laptop: without the admin's
        # navigation sidebar (Home and the breadcrumbs lead everywhere it does).
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Dispute], search_term: str
    ) -> tuple[QuerySet[Dispute], bool]:
        """Disputes whose order has that number or buyer, or whose seller it names. The
        buyers and sellers are found first (a seller by part of its name: sellers are few),
        then the disputes by their orders' indexed columns and by their own seller's index,
        each half on its own table: a substring match across the joins read every order and
        dispute, and one condition across both tables joins the orders of every dispute
        (tests/test_hot_reads_use_indexes.py)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        buyers = User.objects.filter(Q(username=term) | Q(email=term)).values_list("pk", flat=True)
        sellers = Seller.objects.filter(
            Q(name__icontains=term) | Q(user__username=term)
        ).values_list("pk", flat=True)
        by_order = Dispute.objects.filter(
            Q(order__number=term) | Q(order__buyer__in=list(buyers))
        ).values("pk")
        by_seller = Dispute.objects.filter(seller__in=list(sellers)).values("pk")
        return queryset.filter(pk__in=by_order.union(by_seller)), False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dispute]:
        # The count of files of each listed row, not a JOIN and GROUP BY over every dispute.
        files = (
            Evidence.objects.filter(dispute=OuterRef("pk"))
            .order_by()
            .values("dispute")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return super().get_queryset(request).annotate(evidence_total=Coalesce(Subquery(files), 0))

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, dispute: Dispute) -> str:
        return dispute.order.number

    @admin.display(description=_("buyer"), ordering="order__buyer__username")
    def buyer(self, dispute: Dispute) -> User:
        return dispute.order.buyer

    @admin.display(description=_("who acts next"))
    def next_step(self, dispute: Dispute) -> str:
        return next_step_in_words(dispute, timezone.now())

    @admin.display(description=_("evidence"), ordering="evidence_total")
    def evidence_count(self, dispute: "WithAnnotations[Dispute, EvidenceTotal]") -> int:
        return dispute.evidence_total

    @admin.display(description=_("new information"), boolean=True)
    def has_new_information(self, dispute: Dispute) -> bool:
        return dispute.new_information_since is not None
