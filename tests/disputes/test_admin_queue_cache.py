"""The mediators' queue keeps its table in the cache under the rows it shows
(``QueueChangeList.rows_fingerprint``): a change shows at once, a deadline passing shows at
once, and each mediator gets the table of their own language, zone and address."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.admin.queue import DisputeQueueAdmin
from disputes.models import Party
from tests.disputes.builders import make_mediator, open_dispute
from tests.disputes.test_query_counts import add_file
from tests.factories import make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:disputes_dispute_changelist")


def table_rendered(response):
    return any(template.name == "admin/change_list_results.html" for template in response.templates)


def row_of(response, dispute):
    """The text of the queue's row of ``dispute``."""
    content = response.content.decode()
    start = content.index(f"/{dispute.pk}/change/")
    return content[start : content.index("</tr>", start)]


def test_the_table_is_rendered_once_then_read_from_the_cache(log_in, buyer):
    dispute = open_dispute(buyer)
    client = log_in(make_mediator())
    first, again = client.get(QUEUE), client.get(QUEUE)
    assert table_rendered(first)
    assert not table_rendered(again)
    assert row_of(again, dispute) == row_of(first, dispute)


def test_a_new_stage_and_new_evidence_show_at_once(log_in, buyer):
    dispute = open_dispute(buyer)
    mediator = make_mediator()
    client = log_in(mediator)
    assert "Decision expected by" in row_of(client.get(QUEUE), dispute)

    add_file(dispute, buyer)
    assert '<td class="field-evidence_count">1</td>' in row_of(client.get(QUEUE), dispute)
    actions.request_information(
        dispute=dispute, mediator=mediator, party=Party.BUYER, message="A photo, please."
    )
    assert "Buyer must reply by" in row_of(client.get(QUEUE), dispute)


def test_a_renamed_buyer_shows_at_once(log_in, buyer):
    dispute = open_dispute(buyer)
    client = log_in(make_mediator())
    assert buyer.username in row_of(client.get(QUEUE), dispute)

    buyer.username = "renamed-by-the-marketplace"
    buyer.save(update_fields=["username"])
    assert "renamed-by-the-marketplace" in row_of(client.get(QUEUE), dispute)


def test_a_deadline_passing_shows_at_once(log_in, buyer, monkeypatch):
    dispute = open_dispute(buyer)
    client = log_in(make_mediator())
    before = dispute.stage_deadline - timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: before)
    assert "(overdue)" not in row_of(client.get(QUEUE), dispute)
    after = dispute.stage_deadline + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after)
    assert "(overdue)" in row_of(client.get(QUEUE), dispute)


def test_a_mediator_reads_the_table_in_their_language_and_zone(log_in, buyer):
    dispute = open_dispute(buyer)
    client = log_in(make_mediator())
    here = row_of(client.get(QUEUE), dispute)
    assert "Decision expected by" in here
    assert "Décision attendue" in row_of(client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="fr"), dispute)
    # In another zone, the dates move with the mediator.
    client.cookies["tz"] = "Pacific/Kiritimati"
    assert row_of(client.get(QUEUE), dispute) != here


def test_another_sort_or_filter_is_not_served_the_cached_table(log_in):
    first, second = (open_dispute(make_user(name)) for name in ("anna", "zoe"))
    client = log_in(make_mediator())
    content = client.get(QUEUE).content.decode()
    assert content.index(first.order.number) < content.index(second.order.number)
    # Sorted by buyer (list_display[1]), descending.
    content = client.get(QUEUE, {"o": "-1"}).content.decode()
    assert content.index(second.order.number) < content.index(first.order.number)
    # The same rows under another filter: their links keep that filter, for the way back.
    row = row_of(client.get(QUEUE, {"status": "open"}), first)
    assert "_changelist_filters=status%3Dopen" in row


def filters_rendered(response):
    return any(template.name == "admin/filter.html" for template in response.templates)


def filters_of(response):
    content = response.content.decode()
    start = content.index('<search id="changelist-filter"')
    return content[start : content.index("</search>", start)]


def test_the_filters_are_rendered_once_per_address_and_language(log_in):
    cache.clear()  # other tests rendered the same addresses
    client = log_in(make_mediator())
    first, again = client.get(QUEUE), client.get(QUEUE)
    assert filters_rendered(first)
    assert not filters_rendered(again)
    assert filters_of(again) == filters_of(first)
    # Another address marks another choice; another language has its own words.
    chosen = client.get(QUEUE, {"status": "open"})
    assert filters_rendered(chosen)
    assert filters_of(chosen) != filters_of(first)
    french = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="fr")
    assert filters_rendered(french)
    assert "Filtre" in filters_of(french)


def test_filters_with_counts_are_never_cached(log_in, buyer):
    open_dispute(buyer)
    client = log_in(make_mediator())
    with_counts = {"status": "all", "_facets": "1"}
    assert "With a mediator (1)" in filters_of(client.get(QUEUE, with_counts))
    open_dispute(make_user("bob"))
    assert "With a mediator (2)" in filters_of(client.get(QUEUE, with_counts))


def test_the_actions_count_of_every_dispute_follows_the_queue(log_in, monkeypatch):
    """The cached table holds the actions' "Select all N": a dispute joining the queue
    beyond the first page changes N, not the rows shown."""
    monkeypatch.setattr(DisputeQueueAdmin, "list_per_page", 2)
    for index in range(3):
        open_dispute(make_user(f"buyer-{index}"))
    client = log_in(make_mediator())
    assert "Select all 3 disputes" in client.get(QUEUE).content.decode()

    open_dispute(make_user("buyer-3"))
    assert "Select all 4 disputes" in client.get(QUEUE).content.decode()
