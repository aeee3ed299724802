"""``/disputes/`` filtered by order, party (the marketplace's account ids), status, stage
and the time a dispute was opened; the cursor works the same with filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes.models import DisputeStatus, Stage
from tests.api.conftest import error_of
from tests.disputes.builders import agreed_dispute, answerable_dispute_at, make_seller_account
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def ids(api, **filters):
    page = api.get("/disputes/", **filters)
    assert page.status_code == 200, page.json()
    return [dispute["id"] for dispute in page.json()["results"]]


@pytest.fixture
def disputes(buyer):
    """Alice's dispute with one seller a week ago (waiting for it), and Bob's agreed one
    with another seller today."""
    buyer.marketplace_id = "u-alice"
    buyer.save()
    seller = make_seller_account("lyon", "Lyon Outlet")
    seller.user.marketplace_id = "s-lyon"
    seller.user.save()
    week_ago = answerable_dispute_at(buyer, timezone.now() - timedelta(days=7), seller=seller)
    bob = make_user("bob", marketplace_id="u-bob")
    today = agreed_dispute(bob)
    return week_ago, today


def test_filters_keep_the_disputes_that_match(api, disputes):
    week_ago, today = disputes
    assert ids(api) == [week_ago.pk, today.pk]
    assert ids(api, order=week_ago.order.number) == [week_ago.pk]
    assert ids(api, buyer="u-alice") == [week_ago.pk]
    assert ids(api, buyer="u-bob") == [today.pk]
    assert ids(api, seller="s-lyon") == [week_ago.pk]
    assert ids(api, status=DisputeStatus.AGREED) == [today.pk]
    assert ids(api, stage=Stage.WAITING_FOR_SELLER) == [week_ago.pk]
    assert ids(api, status=DisputeStatus.OPEN, buyer="u-bob") == []
    assert ids(api, buyer="nobody") == []


def test_the_opening_time_range_includes_its_start_and_excludes_its_end(api, disputes):
    week_ago, today = disputes
    opened = week_ago.opened_at.isoformat()
    assert ids(api, opened_from=opened) == [week_ago.pk, today.pk]
    assert ids(api, opened_before=opened) == []
    day_before = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(api, opened_before=day_before) == [week_ago.pk]
    assert ids(api, opened_from=day_before) == [today.pk]


def test_the_cursor_pages_through_filtered_disputes(api, disputes):
    week_ago, _today = disputes
    page = api.get("/disputes/", buyer="u-alice", limit=1).json()
    assert [d["id"] for d in page["results"]] == [week_ago.pk]
    assert page["has_more"] is False
    assert api.get("/disputes/", buyer="u-alice", after=page["next_cursor"]).json()["results"] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("status", "lost"), ("stage", "nowhere"), ("opened_from", "yesterday"), ("buyer", "")],
)
def test_a_bad_filter_is_refused_naming_it(api, name, value):
    response = api.get("/disputes/", **{name: value})
    assert response.status_code == 400
    assert error_of(response) == ("invalid_request", [(None, name)])
