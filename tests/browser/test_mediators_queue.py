"""The mediators' queue on a laptop: every column in view at 1280 px, times in the
mediator's own zone (issue 26, item 18)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.disputes.builders import make_mediator, open_dispute, refused_dispute
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_fits_a_laptop_and_speaks_the_mediators_zone(open_visit):
    alice = make_user("alice")
    open_dispute(alice)
    refused_dispute(alice)
    make_mediator()
    mediator = open_visit("mediator", viewport=DESKTOP)
    mediator.page.context.add_cookies([{"name": "tz", "value": "", "url": mediator.base_url}])
    mediator.log_in("mediator", admin=True)
    mediator.goto("/admin/disputes/dispute/")
    page = mediator.page
    table = page.locator("#result_list")
    expect(table).to_be_visible()

    mediator.shot("queue-1280")
    # In view: not cut off by the table's scrolling box, nor by the window.
    visible = page.locator("#changelist-form .results").bounding_box()
    last = page.locator("#result_list thead th").last.bounding_box()
    assert last["x"] + last["width"] <= min(visible["x"] + visible["width"], DESKTOP["width"])
    # The browser's zone (the context's, Europe/Paris here) is reported from the admin too.
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies.get("tz") == page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
