"""Signing in by link (PRODUCT.md §11): the marketplace's hand-off, an email's "Continue
as" page, and asking for a link by email. The rules are in ``accounts.sign_in_links``."""

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import EmailLinkForm
from .lockout import client_address
from .sign_in_links import (
    LinkKind,
    LinkProblem,
    Redemption,
    SignInLink,
    digest_of,
    inspect,
    is_safe_next,
    may_email_link,
    redeem,
)
from .tasks import email_sign_in_link

PROBLEM_STATUS = {
    LinkProblem.USED: 410,
    LinkProblem.EXPIRED: 410,
    LinkProblem.INVALID: 404,
    LinkProblem.REFUSED: 403,
}


@require_GET
def sign_in_handoff(request: HttpRequest, token: str) -> HttpResponse:
    """The marketplace redirected its signed-in person here: sign them in, open the page."""
    redemption = redeem(token, kind=LinkKind.HANDOFF)
    if redemption.problem is not None:
        return _problem_page(request, redemption, token, LinkKind.HANDOFF)
    return _sign_in(request, redemption)


@require_http_methods(["GET", "POST"])
def continue_as(request: HttpRequest, token: str) -> HttpResponse:
    """An email's link: "Continue as <name>". Only the button's POST uses the link, so a
    mail scanner that opens it signs nobody in."""
    if request.method == "POST":
        redemption = redeem(token, kind=LinkKind.EMAIL)
    else:
        redemption = inspect(token, kind=LinkKind.EMAIL)
    link = redemption.link
    if link is not None and request.user.is_authenticated and request.user.pk == link.user_id:
        # Already signed in as this person (an email's link opened twice): the page.
        return redirect(link.next_path)
    if redemption.problem is not None:
        return _problem_page(request, redemption, token, LinkKind.EMAIL)
    if request.method == "POST":
        return _sign_in(request, redemption)
    return render(request, "accounts/continue_as.html", {"account": redemption.user})


@require_POST
def email_link(request: HttpRequest) -> HttpResponse:
    """Email a sign-in link to the account of an address, or of an email's spent link. The
    answer is the same whether or not such an account exists."""
    form = EmailLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/email_link.html", {"form": form}, status=400)
    accounts, next_path = _accounts_asked_for(form.cleaned_data)
    address = form.cleaned_data["email"] or (accounts[0].email if accounts else "")
    if not may_email_link(address=address, client=client_address(request)):
        return render(
            request, "accounts/email_link.html", {"form": form, "throttled": True}, status=429
        )
    for account in accounts:
        email_sign_in_link.enqueue(account.pk, next_path, get_language())
    return render(request, "accounts/email_link.html", {"sent": True})


def _accounts_asked_for(data: dict) -> tuple[list, str]:
    """The accounts to email a link to, and the page it opens."""
    if data["token"]:
        link = (
            SignInLink.objects.select_related("user")
            .filter(digest=digest_of(data["token"]), kind=LinkKind.EMAIL)
            .first()
        )
        if link is None:
            return [], ""
        return [link.user], link.next_path
    next_path = data["next"] if is_safe_next(data["next"]) else ""
    accounts = get_user_model().objects.filter(
        email__iexact=data["email"], is_active=True, is_staff=False
    )
    return list(accounts), next_path or resolve_url(settings.LOGIN_REDIRECT_URL)


def _sign_in(request: HttpRequest, redemption: Redemption) -> HttpResponse:
    assert redemption.link is not None and redemption.user is not None
    logout(request)  # whoever the browser was signed in as, that session ends here
    login(request, redemption.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(redemption.link.next_path)


def _problem_page(
    request: HttpRequest, redemption: Redemption, token: str, kind: LinkKind
) -> HttpResponse:
    """Which of used, expired or altered; an email's spent link offers a fresh one."""
    assert redemption.problem is not None
    offers_new_link = kind == LinkKind.EMAIL and redemption.problem in (
        LinkProblem.USED,
        LinkProblem.EXPIRED,
    )
    context = {
        "problem": redemption.problem,
        "handoff": kind == LinkKind.HANDOFF,
        "form": EmailLinkForm(initial={"token": token}) if offers_new_link else None,
        "marketplace_url": settings.MARKETPLACE_URL,
    }
    return render(
        request,
        "accounts/link_problem.html",
        context,
        status=PROBLEM_STATUS[redemption.problem],
    )
