"""seed_demo: the demo data, and the truth about each demo order when run again."""

import io
import re

import pytest
from django.core.management import call_command

from disputes import actions
from orders.models import Order
from tests.disputes.builders import DESCRIPTION

pytestmark = pytest.mark.django_db


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def situations(output):
    return dict(re.findall(r"order (DEMO-\d+): (.*)", output))


def test_the_demo_prints_where_to_log_in_at_the_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8300"
    assert "Log in at http://127.0.0.1:8300" in seed()


def test_a_fresh_demo_says_each_orders_situation():
    said = situations(seed())
    assert said["DEMO-0001"] == "not shipped"
    assert said["DEMO-0004"] == "dispute possible (12 days left)"
    assert said["DEMO-0007"] == "dispute open"
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
    assert said["DEMO-0004"] == "dispute open  [changed by hand; the demo had: dispute possible]"
    assert said["DEMO-0007"].startswith("cancelled, can be reopened (")
    assert said["DEMO-0007"].endswith("[changed by hand; the demo had: dispute open]")
    assert said["DEMO-0001"] == "not shipped"
    assert "2 demo order(s) were changed by hand" in output
    assert "make demo-reset" in output
    # Nothing done by hand is undone, and nothing is doubled.
    opened.refresh_from_db()
    assert opened.is_open
    assert disputable.disputes.count() == 1
    assert Order.objects.get(number="DEMO-0007").disputes.get().status == "cancelled"
