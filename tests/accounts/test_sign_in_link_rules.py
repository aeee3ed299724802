"""The rules of a one-time sign-in link (PRODUCT.md §11): its lifetime to the second, one
use even when two redemptions race, which accounts get none, and which pages it may open."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.sign_in_links import (
    KEEP_SPENT_LINKS,
    AccountRefusal,
    LinkKind,
    LinkProblem,
    SignInLink,
    create_link,
    delete_spent_links,
    email_link_url,
    inspect,
    is_safe_next,
    redeem,
    refusal,
)
from tests.factories import FIXED_NOW, make_user

pytestmark = pytest.mark.django_db

ORDER_PAGE = "/orders/8030112233445566/"
SECOND = timedelta(seconds=1)


def handoff(user, now=FIXED_NOW):
    return create_link(user=user, kind=LinkKind.HANDOFF, next_path=ORDER_PAGE, now=now)


def test_a_hand_off_link_works_until_its_max_age_and_not_a_second_after(buyer, settings):
    settings.SIGN_IN_LINK_MAX_AGE_SECONDS = 120
    token, link = handoff(buyer)
    assert link.expires_at == FIXED_NOW + timedelta(seconds=120)

    late = redeem(token, kind=LinkKind.HANDOFF, now=link.expires_at)
    assert late.problem == LinkProblem.EXPIRED
    assert redeem(token, kind=LinkKind.HANDOFF, now=link.expires_at + SECOND).problem == (
        LinkProblem.EXPIRED
    )
    in_time = redeem(token, kind=LinkKind.HANDOFF, now=link.expires_at - SECOND)
    assert in_time.problem is None
    assert in_time.user == buyer
    assert in_time.link.next_path == ORDER_PAGE


def test_an_email_link_works_for_email_sign_in_link_hours(buyer, settings):
    settings.EMAIL_SIGN_IN_LINK_HOURS = 72
    token, link = create_link(user=buyer, kind=LinkKind.EMAIL, next_path=ORDER_PAGE, now=FIXED_NOW)
    assert link.expires_at == FIXED_NOW + timedelta(hours=72)
    after = link.expires_at + SECOND
    assert inspect(token, kind=LinkKind.EMAIL, now=after).problem == LinkProblem.EXPIRED
    assert inspect(token, kind=LinkKind.EMAIL, now=link.expires_at - SECOND).problem is None


def test_a_link_works_once(buyer):
    token, _link = handoff(buyer)
    now = FIXED_NOW + SECOND
    assert redeem(token, kind=LinkKind.HANDOFF, now=now).user == buyer
    again = redeem(token, kind=LinkKind.HANDOFF, now=now)
    assert again.problem == LinkProblem.USED
    assert again.user is None


def test_of_two_redemptions_interleaved_the_second_finds_the_link_used(buyer, monkeypatch):
    """Both read the link unused; the conditional UPDATE lets only the first through."""
    from accounts import sign_in_links

    token, _link = handoff(buyer)
    now = FIXED_NOW + SECOND
    stale = sign_in_links.inspect(token, kind=LinkKind.HANDOFF, now=now)
    assert redeem(token, kind=LinkKind.HANDOFF, now=now).user == buyer
    monkeypatch.setattr(sign_in_links, "inspect", lambda *args, **kwargs: stale)

    loser = sign_in_links.redeem(token, kind=LinkKind.HANDOFF, now=now)

    assert loser.problem == LinkProblem.USED
    assert loser.user is None


def test_a_link_is_only_for_its_own_kind(buyer):
    """An email's link cannot be opened as a hand-off, which signs in without a button."""
    token, _link = create_link(user=buyer, kind=LinkKind.EMAIL, next_path=ORDER_PAGE)
    assert redeem(token, kind=LinkKind.HANDOFF).problem == LinkProblem.INVALID
    assert inspect(token, kind=LinkKind.EMAIL).problem is None


@pytest.mark.parametrize(
    "altered",
    [
        pytest.param(lambda token: token[:-1], id="cut-short"),
        pytest.param(lambda token: token[:20], id="half"),
        pytest.param(
            lambda token: ("B" if token[5] == "A" else "A").join((token[:5], token[6:])),
            id="one-character-changed",
        ),
        pytest.param(lambda token: token + "x", id="longer"),
        pytest.param(lambda token: "", id="empty"),
    ],
)
def test_an_altered_link_is_invalid(buyer, altered):
    token, _link = handoff(buyer)
    assert redeem(altered(token), kind=LinkKind.HANDOFF).problem == LinkProblem.INVALID


def test_only_a_digest_of_the_secret_is_stored(buyer):
    token, link = handoff(buyer)
    (row,) = SignInLink.objects.filter(pk=link.pk).values()
    assert token not in str(row)
    assert len(row["digest"]) == 64


def test_staff_and_inactive_accounts_get_no_link(buyer):
    mediator = make_user("mediator", is_staff=True)
    gone = make_user("gone", is_active=False)
    assert refusal(buyer) is None
    assert refusal(mediator) == AccountRefusal.STAFF
    assert refusal(gone) == AccountRefusal.INACTIVE
    for user in (mediator, gone):
        with pytest.raises(ValueError):
            create_link(user=user, kind=LinkKind.HANDOFF, next_path=ORDER_PAGE)
    assert not SignInLink.objects.exists()


def test_a_link_of_an_account_made_staff_since_signs_nobody_in(buyer):
    token, _link = create_link(user=buyer, kind=LinkKind.HANDOFF, next_path=ORDER_PAGE)
    buyer.is_staff = True
    buyer.save()
    assert redeem(token, kind=LinkKind.HANDOFF).problem == LinkProblem.REFUSED


def test_an_email_to_staff_links_the_bare_page(settings):
    mediator = make_user("mediator", is_staff=True)
    assert email_link_url(mediator, ORDER_PAGE) == settings.SITE_URL + ORDER_PAGE
    assert not SignInLink.objects.exists()


@pytest.mark.parametrize("path", ["/", ORDER_PAGE, "/disputes/5/?tab=timeline#answer"])
def test_a_path_of_this_site_is_a_safe_next(path):
    assert is_safe_next(path)


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "/orders/\n/",
        "/orders/\x00",
        " /orders/",
        "orders/8030/",
        "javascript:alert(1)",
        "",
        "/" + "a" * 2000,
        None,
        42,
    ],
)
def test_another_site_or_a_path_a_browser_would_rewrite_is_not(path):
    assert not is_safe_next(path)


def test_spent_links_are_deleted_once_expired_for_longer_than_kept(buyer):
    _token, link = handoff(buyer)
    kept_until = link.expires_at + KEEP_SPENT_LINKS
    assert delete_spent_links(now=kept_until) == 0
    assert delete_spent_links(now=kept_until + SECOND) == 1
    assert not SignInLink.objects.exists()


def test_the_purge_command_deletes_spent_links(buyer):
    now = timezone.now()
    handoff(buyer, now=now - KEEP_SPENT_LINKS - timedelta(days=1))
    handoff(buyer, now=now)
    out = io.StringIO()
    call_command("purge_sign_in_links", stdout=out)
    assert "Removed 1 spent sign-in links." in out.getvalue()
    assert SignInLink.objects.count() == 1
