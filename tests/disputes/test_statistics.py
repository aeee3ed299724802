"""The mediators' statistics and a dispute's signals, checked against a data set built
for known answers: each dispute below says when it opened, escalated and ended."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import actions, refunds, statistics
from disputes.models import DecisionReason, DisputeReason, Outcome, RefundRequest
from tests.disputes.builders import DESCRIPTION, make_seller_account
from tests.factories import make_mediator, make_order, make_seller, make_user

pytestmark = pytest.mark.django_db

# A Wednesday: its week starts on Monday 16 November.
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def at(day, month=11, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def opened(buyer, seller, when):
    """A dispute opened at ``when`` on an order received three days before; a seller
    without an account sends it to the mediators at once."""
    order = make_order(
        buyer,
        seller=seller,
        shipped_at=when - timedelta(days=12),
        received_at=when - timedelta(days=3),
    )
    return actions.open_dispute(
        order=order,
        buyer=buyer,
        now=when,
        reason=DisputeReason.DEFECTIVE,
        refund_request=RefundRequest.FULL,
        description=DESCRIPTION,
    )


def decided(dispute, when, outcome, reason):
    return actions.decide_dispute(
        dispute=dispute,
        mediator=make_mediator(),
        outcome=outcome,
        refund_amount=Decimal("6.00") if outcome == Outcome.PARTIAL_REFUND else None,
        reason=reason,
        note="Decided on the evidence.",
        now=when,
    )


def extra_orders(seller, count, placed_at=None):
    for _ in range(count):
        make_order(make_user("shopper"), seller=seller, placed_at=placed_at or at(1))


@pytest.fixture
def data(db):
    """Shop without an account: A to E decided 1, 2, 3, 4 and 10 days after escalating,
    H waiting on the mediators, I decided long ago; 10 orders in 90 days. Shop with an
    account: F ended by agreement, G past its seller's deadline; 20 orders in 90 days."""
    alice, bob = make_user("alice"), make_user("bob")
    shop = make_seller("No Account Shop")
    account_shop = make_seller_account("shopkeeper", "Account Shop")
    disputes = {
        "A": decided(opened(alice, shop, at(2)), at(3), Outcome.REJECTED, "item_as_described"),
        "B": decided(
            opened(alice, shop, at(3)), at(5), Outcome.FULL_REFUND, "evidence_shows_defect"
        ),
        "C": decided(
            opened(alice, shop, at(9)), at(12), Outcome.PARTIAL_REFUND, "partly_justified"
        ),
        "D": decided(opened(alice, shop, at(10)), at(14), Outcome.REJECTED, "item_as_described"),
        "E": decided(
            opened(alice, shop, at(6)), at(16), Outcome.FULL_REFUND, "evidence_shows_defect"
        ),
        "H": opened(bob, shop, at(17)),
        "I": decided(
            opened(alice, shop, at(1, month=8)),
            at(3, month=8),
            Outcome.REJECTED,
            "not_enough_evidence",
        ),
    }
    agreed = opened(bob, account_shop, at(16, hour=9))
    disputes["F"] = actions.accept_request(dispute=agreed, seller=account_shop.user, now=at(17))
    disputes["G"] = opened(bob, account_shop, at(1))
    extra_orders(shop, 10 - 6)  # A to E and H were placed in the 90 days; I was not
    extra_orders(account_shop, 20 - 2)
    return disputes


def test_each_week_counts_its_openings_escalations_agreements_and_decisions(data):
    weeks = statistics.weekly_counts(now=NOW)

    assert len(weeks) == statistics.WEEKS
    assert weeks[0].starts == date(2026, 11, 16)
    assert weeks[-1].starts == date(2026, 8, 31)
    counts = {
        week.starts: (week.opened, week.escalated, week.agreed, week.decided) for week in weeks
    }
    assert counts[date(2026, 11, 16)] == (2, 1, 1, 1)  # F, H opened; H escalated; F; E
    assert counts[date(2026, 11, 9)] == (2, 2, 0, 2)  # C, D
    assert counts[date(2026, 11, 2)] == (3, 3, 0, 2)  # A, B, E opened and escalated; A, B
    assert counts[date(2026, 10, 26)] == (1, 0, 0, 0)  # G, on Sunday 1 November
    assert sum(sum(row) for row in counts.values()) == 8 + 6 + 1 + 5


def test_each_week_counts_the_refunds_instructed_and_executed(data):
    """B, C and E were decided with a refund and F agreed on one: each instructed then.
    The marketplace sent B's on 6 November and C's on the 17th; E's failed and a
    mediator instructed it again on the 18th (a new instruction, counted too)."""
    instruction = {name: data[name].refund_instructions.get() for name in "BCEF"}
    refunds.report_executed(
        refund_id=instruction["B"].public_id, reference="MP-B", executed_at=at(6), now=at(6)
    )
    refunds.report_executed(
        refund_id=instruction["C"].public_id, reference="MP-C", executed_at=at(17), now=at(17)
    )
    refunds.report_failed(refund_id=instruction["E"].public_id, reason="Card closed", now=at(17))
    refunds.instruct_again(refund=instruction["E"], mediator=make_mediator(), now=at(18, hour=9))

    weeks = statistics.weekly_counts(now=NOW)

    counts = {week.starts: (week.refunds_instructed, week.refunds_executed) for week in weeks}
    assert counts[date(2026, 11, 16)] == (3, 1)  # E, F and E again; C sent
    assert counts[date(2026, 11, 9)] == (1, 0)  # C
    assert counts[date(2026, 11, 2)] == (1, 1)  # B, instructed and sent
    assert sum(instructed for instructed, _ in counts.values()) == 5
    assert sum(executed for _, executed in counts.values()) == 2


def test_median_and_90th_percentile_from_escalation_to_decision(data):
    figures = statistics.time_to_decision(since=statistics.first_week(NOW))

    # 1, 2, 3, 4 and 10 days: the 90th percentile lies 0.6 of the way from 4 to 10.
    assert figures.decisions == 5
    assert figures.median == timedelta(days=3)
    assert figures.percentile_90 == timedelta(days=7.6)


def test_percentiles_interpolate_between_an_even_number_of_decisions(data):
    figures = statistics.time_to_decision(since=at(9))

    # C, D, E: 3, 4 and 10 days... and from 9 November, B (decided on the 5th) is out.
    assert figures.decisions == 3
    assert figures.median == timedelta(days=4)
    assert figures.percentile_90 == timedelta(days=8.8)
    two = statistics.time_to_decision(since=at(13))  # D and E
    assert two.median == timedelta(days=7)
    assert two.percentile_90 == timedelta(days=9.4)


def test_no_decision_has_no_percentile(db):
    assert statistics.time_to_decision() == statistics.TimeToDecision(0, None, None)


def test_overdue_counts_open_disputes_past_their_date(data):
    # G's seller had until 6 November; H's decision is expected on 24 November.
    assert statistics.overdue_count(now=NOW) == 1
    assert statistics.overdue_count(now=at(24, hour=11)) == 2


def test_reasons_are_counted_over_the_weeks_shown(data):
    counts = {
        row.reason: row.decisions
        for row in statistics.decision_reason_counts(since=statistics.first_week(NOW))
    }

    assert counts[DecisionReason.ITEM_AS_DESCRIBED.label] == 2
    assert counts[DecisionReason.EVIDENCE_SHOWS_DEFECT.label] == 2
    assert counts[DecisionReason.PARTLY_JUSTIFIED.label] == 1
    assert counts[DecisionReason.NOT_ENOUGH_EVIDENCE.label] == 0  # I, in August


def test_each_seller_has_its_dispute_rate_and_outcomes_over_90_days(data):
    rows = statistics.seller_rates(now=NOW)

    assert rows == [
        {
            "seller": "No Account Shop",
            "disputes": 6,
            "orders": 10,
            "rate": 0.6,
            "open": 1,
            "cancelled": 0,
            "agreed": 0,
            "full_refund": 2,
            "partial_refund": 1,
            "rejected": 2,
        },
        {
            "seller": "Account Shop",
            "disputes": 2,
            "orders": 20,
            "rate": 0.1,
            "open": 1,
            "cancelled": 0,
            "agreed": 1,
            "full_refund": 0,
            "partial_refund": 0,
            "rejected": 0,
        },
    ]


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        (statistics.SellerSort.RATE, "No Account Shop"),
        (statistics.SellerSort.ORDERS, "Account Shop"),
        (statistics.SellerSort.DISPUTES, "No Account Shop"),
        (statistics.SellerSort.REJECTED, "No Account Shop"),
    ],
)
def test_the_sellers_sort_highest_first(data, sort, first):
    assert statistics.seller_rates(now=NOW, sort=sort)[0]["seller"] == first


def test_an_unknown_sort_is_the_dispute_rate():
    assert statistics.SellerSort.of("price; DROP TABLE") == statistics.SellerSort.RATE
    assert statistics.SellerSort.of(None) == statistics.SellerSort.RATE


def test_signals_count_each_partys_other_disputes_of_the_last_90_days(data):
    signals = statistics.party_signals(data["A"], now=NOW)

    # Alice's B, C, D, E (I is older than 90 days); the shop's B, C, D, E and H.
    assert signals.buyer == statistics.PartyRecord(
        total=4, open=0, cancelled=0, agreed=0, full_refund=2, partial_refund=1, rejected=1
    )
    assert signals.seller == statistics.PartyRecord(
        total=5, open=1, cancelled=0, agreed=0, full_refund=2, partial_refund=1, rejected=1
    )


@pytest.fixture
def recent(db):
    """Days before today, for the pages, which read the clock: a shop's dispute decided two
    days after it reached the mediators, and another shop's dispute waiting for it."""
    now = timezone.now()
    shop = make_seller("No Account Shop")
    account_shop = make_seller_account("shopkeeper", "Account Shop")
    disputes = {
        "decided": decided(
            opened(make_user("alice"), shop, now - timedelta(days=3)),
            now - timedelta(days=1),
            Outcome.REJECTED,
            "item_as_described",
        ),
        "waiting": opened(make_user("bob"), account_shop, now - timedelta(days=2)),
    }
    extra_orders(account_shop, 5, placed_at=now - timedelta(days=10))
    return disputes


def test_the_disputes_page_shows_its_signals(client, recent):
    client.force_login(make_mediator())

    response = client.get(reverse("admin:disputes_dispute_change", args=[recent["waiting"].pk]))

    assert response.status_code == 200
    assert "Signals: the parties" in response.content.decode()


def test_the_statistics_page_is_the_mediators(client, recent):
    url = reverse("admin:disputes_dispute_statistics")
    client.force_login(make_user("api-manager", is_staff=True))
    assert client.get(url).status_code == 403

    client.force_login(make_mediator())
    response = client.get(url, {"sort": "orders"})

    assert response.status_code == 200
    assert response.context["sort"] == statistics.SellerSort.ORDERS
    assert [row["seller"] for row in response.context["sellers"]] == [
        "Account Shop",
        "No Account Shop",
    ]
    assert "median 2.0 days, 90th percentile 2.0 days" in response.content.decode()
    assert url in client.get(reverse("admin:disputes_dispute_changelist")).content.decode()
