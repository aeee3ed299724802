"""The demo lets a newcomer play every part: a dispute in every stage, a seller who signs in,
and each way the marketplace's people sign in without a password."""

import json
import re
import shlex
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api.models import ApiClient
from demo.management.commands.seed_demo import SSO_IDENTITIES
from disputes import actions, tasks
from disputes.models import (
    AppealRuling,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EventKind,
    Party,
    RefundInstruction,
    RefundStatus,
    Stage,
)
from orders.models import Order, Seller
from orders.receipts import confirm_receipt
from tests.accounts import openid_providers
from tests.disputes.builders import DESCRIPTION

pytestmark = pytest.mark.django_db

# order: (buyer, status, stage, who was asked for information)
DISPUTES = {
    "DEMO-0007": ("alice", DisputeStatus.OPEN, Stage.WAITING_FOR_SELLER, None),
    "DEMO-0008": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0009": ("alice", DisputeStatus.CANCELLED, None, None),
    "DEMO-0010": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0011": ("alice", DisputeStatus.OPEN, Stage.OFFER_WAITING_FOR_BUYER, None),
    "DEMO-0013": ("alice", DisputeStatus.OPEN, Stage.WITH_MEDIATOR, None),
    "DEMO-0015": ("alice", DisputeStatus.OPEN, Stage.INFORMATION_REQUESTED, Party.SELLER),
    "DEMO-0017": ("alice", DisputeStatus.AGREED, None, None),
    "DEMO-0018": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0020": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0029": ("alice", DisputeStatus.OPEN, Stage.NOT_RECEIVED_WAITING_FOR_SELLER, None),
    "DEMO-0031": ("alice", DisputeStatus.OPEN, Stage.EXTENSION_WAITING_FOR_BUYER, None),
    "DEMO-0019": ("alice", DisputeStatus.OPEN, Stage.RETURN_TO_SHIP, None),
    "DEMO-0021": ("alice", DisputeStatus.OPEN, Stage.RETURN_ON_ITS_WAY, None),
    "DEMO-0023": ("alice", DisputeStatus.AGREED, None, None),
    "DEMO-9003": ("bob", DisputeStatus.OPEN, Stage.WAITING_FOR_SELLER, None),
    "DEMO-9005": ("bob", DisputeStatus.OPEN, Stage.INFORMATION_REQUESTED, Party.BUYER),
}


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "users": get_user_model().objects.count(),
        "orders": list(Order.objects.order_by("number").values_list("number", "seller__name")),
        "disputes": list(
            Dispute.objects.order_by("pk").values_list("order__number", "status", "stage")
        ),
        "events": DisputeEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def test_every_stage_has_a_dispute_with_the_seller_who_signs_in(client):
    output = seed()

    seller = Seller.objects.get(name="Shenzhen Gadget Store")
    assert seller.user.username == "szgadget"
    response = client.post(
        reverse("login"), {"username": "szgadget", "password": "szgadget-demo-2026"}
    )
    assert response.status_code == 302
    assert "seller:   szgadget / szgadget-demo-2026" in output
    for number, (buyer, status, stage, asked) in DISPUTES.items():
        dispute = Dispute.objects.select_related("order__buyer").get(order__number=number)
        assert (dispute.order.buyer.username, dispute.status, dispute.stage) == (
            buyer,
            status,
            stage,
        ), number
        assert dispute.information_requested_from == asked, number
        assert number in output
    assert set(Stage.values) <= {stage for _b, _s, stage, _a in DISPUTES.values()}


def test_the_disputes_were_made_by_the_actions_with_their_events():
    seed()

    def kinds(number):
        dispute = Dispute.objects.get(order__number=number)
        return list(dispute.events.values_list("kind", flat=True))

    assert kinds("DEMO-0011") == [EventKind.OPENED, EventKind.OFFER_MADE]
    assert kinds("DEMO-0013") == [
        EventKind.OPENED,
        EventKind.SELLER_REFUSED,
        EventKind.ESCALATED,
        EventKind.ASSIGNED,
    ]
    assert kinds("DEMO-0015")[-2:] == [EventKind.INFORMATION_REQUESTED, EventKind.MESSAGE]
    assert kinds("DEMO-0017") == [
        EventKind.OPENED,
        EventKind.SELLER_ACCEPTED,
        EventKind.REFUND_INSTRUCTED,
    ]
    assert kinds("DEMO-0023") == [
        EventKind.OPENED,
        EventKind.RETURN_ASKED,
        EventKind.RETURN_SHIPPED,
        EventKind.RETURN_ARRIVED,
        EventKind.REFUND_INSTRUCTED,
    ]
    refused = Dispute.objects.get(order__number="DEMO-0013")
    assert refused.seller_statement
    assert refused.escalation_reason == "seller_refused"
    assert refused.assigned_to.username == "mediator"


def test_the_demo_has_a_refund_in_each_state_and_a_decision_replaced_on_appeal():
    seed()

    def refund(number):
        return RefundInstruction.objects.get(dispute__order__number=number)

    assert refund("DEMO-0017").status == RefundStatus.INSTRUCTED
    assert refund("DEMO-0010").status == RefundStatus.EXECUTED
    assert refund("DEMO-0018").status == RefundStatus.FAILED
    replaced = Dispute.objects.get(order__number="DEMO-0020")
    assert replaced.appeal.ruling == AppealRuling.REPLACED
    decisions = replaced.events.filter(kind=EventKind.DECIDED).order_by("pk")
    assert [event.details["outcome"] for event in decisions] == ["rejected", "full_refund"]
    assert refund("DEMO-0020").status == RefundStatus.EXECUTED


def test_the_open_stages_deadlines_are_ahead_and_queued_for_the_worker():
    seed()
    now = timezone.now()

    for dispute in Dispute.objects.filter(stage__isnull=False):
        assert dispute.stage_deadline > now, dispute.order.number
    waiting = Dispute.objects.exclude(stage=Stage.WITH_MEDIATOR).filter(stage__isnull=False)
    queued = DBTaskResult.objects.filter(task_path=tasks.act_on_deadline.module_path)
    for dispute in waiting:
        assert queued.filter(run_after=dispute.stage_deadline).exists(), dispute.order.number


def test_the_demos_history_sends_no_email():
    seed()

    assert not DBTaskResult.objects.filter(
        task_path__in=[tasks.send_event_emails.module_path, tasks.deliver_email.module_path]
    ).exists()


def test_running_it_again_changes_nothing():
    seed()
    before = snapshot()

    seed()

    assert snapshot() == before


def situations(output):
    return dict(re.findall(r"order (DEMO-\d+): (.*)", output))


def test_the_demo_prints_where_to_log_in_at_the_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8300"
    assert "Log in at http://127.0.0.1:8300" in seed()


def test_a_fresh_demo_says_each_orders_situation():
    said = situations(seed())
    assert said["DEMO-0001"] == "not shipped"
    assert said["DEMO-0004"] == "dispute possible (12 days left)"
    assert said["DEMO-0007"] == "waiting for the seller"
    assert said["DEMO-0015"] == "the seller is asked for information"
    assert said["DEMO-9005"] == "the buyer is asked for information"
    assert said["DEMO-0017"] == "ended by agreement"
    assert said["DEMO-0019"] == "the item is to be returned"
    assert said["DEMO-0021"] == "the return is on its way"
    assert said["DEMO-0009"] == "cancelled, can be reopened (11 days left)"
    assert said["DEMO-0010"] == "refunded in full"
    assert not any("changed by hand" in line for line in said.values())


def test_run_again_after_playing_it_says_the_truth_and_keeps_what_was_done():
    seed()
    disputable = Order.objects.get(number="DEMO-0004")
    opened = actions.open_dispute(
        order=disputable,
        buyer=disputable.buyer,
        reason="defective",
        refund_request="full",
        description=DESCRIPTION,
    )
    speaker = Order.objects.get(number="DEMO-0007").disputes.get()
    actions.cancel_dispute(dispute=speaker, buyer=disputable.buyer)

    output = seed()
    said = situations(output)
    # DEMO-0004's seller has no account: the dispute goes straight to the mediators.
    assert said["DEMO-0004"] == "with a mediator  [changed by hand; the demo had: dispute possible]"
    assert said["DEMO-0007"].startswith("cancelled, can be reopened (")
    assert said["DEMO-0007"].endswith("[changed by hand; the demo had: waiting for the seller]")
    assert said["DEMO-0001"] == "not shipped"
    assert "2 demo order(s) were changed by hand" in output
    assert "make demo-reset" in output
    # Nothing done by hand is undone, and nothing is doubled.
    opened.refresh_from_db()
    assert opened.is_open
    assert disputable.disputes.count() == 1
    assert Order.objects.get(number="DEMO-0007").disputes.get().status == "cancelled"


def test_a_receipt_confirmed_by_hand_is_kept_when_run_again_days_later(monkeypatch):
    seed()
    in_transit = Order.objects.get(number="DEMO-0002")
    confirmed = confirm_receipt(order=in_transit, buyer=in_transit.buyer)
    # Five days later the demo's dates would ship DEMO-0002 after the buyer received it.
    later = timezone.now() + timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: later)

    said = situations(seed())

    kept = Order.objects.get(number="DEMO-0002")
    assert (kept.shipped_at, kept.received_at) == (confirmed.shipped_at, confirmed.received_at)
    assert said["DEMO-0002"].endswith("[changed by hand; the demo had: too early, in transit]")


def test_the_demo_logins_work_again_after_a_lockout(client):
    seed()
    login = {"username": "alice", "password": "a-wrong-guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), login, REMOTE_ADDR="127.0.0.1")
    login["password"] = "alice-demo-2026"
    assert client.post(reverse("login"), login, REMOTE_ADDR="127.0.0.1").status_code == 429

    seed()

    assert client.post(reverse("login"), login, REMOTE_ADDR="127.0.0.1").status_code == 302


def printed(output, pattern):
    """What ``pattern``'s group matches in the demo's output."""
    return re.search(pattern, output)[1]


def test_the_printed_email_links_sign_alice_and_the_seller_in_once(client):
    output = seed()
    offer = Dispute.objects.get(order__number="DEMO-0011")

    for username, landing in (
        ("alice", reverse("disputes:detail", args=[offer.pk])),
        ("szgadget", reverse("disputes:seller_list")),
    ):
        path = urlsplit(printed(output, rf"{username}'s email link \(.*\): (\S+)")).path
        client.logout()
        response = client.post(path)
        assert response.status_code == 302, username
        assert response.url == landing
        assert client.session[SESSION_KEY] == str(
            get_user_model().objects.get(username=username).pk
        )
        client.logout()
        client.post(path)  # a second time: the link was used
        assert SESSION_KEY not in client.session


def test_the_printed_curl_asks_for_a_hand_off_that_lands_alice_on_her_orders(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8300"
    curl = shlex.split(printed(seed(), r"\n\s+(curl .*)"))
    assert curl[3] == "http://127.0.0.1:8300/api/v1/sign-in-links/"
    headers = dict(curl[index + 1].split(": ") for index, arg in enumerate(curl) if arg == "-H")

    answer = client.post(
        urlsplit(curl[3]).path,
        curl[curl.index("-d") + 1],
        content_type=headers["Content-Type"],
        headers={"Authorization": headers["Authorization"]},
    )

    assert answer.status_code == 201, answer.content
    landing = client.get(urlsplit(answer.json()["url"]).path)
    assert landing.url == reverse("orders:list")
    assert client.session[SESSION_KEY] == str(get_user_model().objects.get(username="alice").pk)


def test_each_run_gives_the_demo_api_client_a_new_token_and_the_old_one_stops_working():
    first = printed(seed(), r"Bearer (\S+)'")
    ApiClient.objects.update(revoked_at=timezone.now())

    second = printed(seed(), r"Bearer (\S+)'")

    assert ApiClient.objects.filter(name="Demo marketplace").count() == 1
    assert ApiClient.for_token(first) is None
    assert not ApiClient.for_token(second).is_revoked


def test_without_single_sign_on_the_demo_says_how_to_start_it():
    assert "single sign-on: `make run SSO=1`" in seed()


def test_the_demo_providers_identities_are_alice_by_id_the_seller_by_name_and_a_stranger(
    settings, client, monkeypatch
):
    demo_identities = json.loads(SSO_IDENTITIES.read_text())
    monkeypatch.setattr(
        openid_providers,
        "IDENTITIES",
        {identity.pop("sub"): identity for identity in demo_identities},
    )
    with openid_providers.mock_provider() as issuer:
        openid_providers.use_provider(settings, issuer)
        settings.OIDC_PROVIDER_NAME = "Demo marketplace"
        output = seed()
        assert "mkt-alice (alice), mkt-szgadget (szgadget), mkt-zoe (zoe)" in output
        assert '"Sign in with Demo marketplace"' in output
        signed_in = {}
        for sub in openid_providers.IDENTITIES:
            person = openid_providers.Person(Client())
            response = person.sign_in(sub)
            signed_in[sub] = (response.status_code, person.client.session.get(SESSION_KEY))

    users = get_user_model().objects.in_bulk(["alice", "szgadget"], field_name="username")
    assert users["alice"].marketplace_id == "mkt-alice"
    assert users["szgadget"].marketplace_id == ""  # found by its username
    assert signed_in == {
        "mkt-alice": (302, str(users["alice"].pk)),
        "mkt-szgadget": (302, str(users["szgadget"].pk)),
        "mkt-zoe": (403, None),
    }


def test_the_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo", stdout=StringIO())


def test_the_demo_has_parcels_in_transit_before_and_after_their_promised_date():
    out = seed()
    assert "alice's order DEMO-0025: in transit\n" in out
    assert "alice's order DEMO-0027: not received, dispute possible (" in out
    assert "alice's order DEMO-0029: not received, waiting for the seller" in out
    assert "alice's order DEMO-0031: a new delivery date waits for the buyer" in out
    promised = Order.objects.get(number="DEMO-0025").delivery_by
    assert promised > timezone.now()
