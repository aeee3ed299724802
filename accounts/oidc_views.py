"""The pages of single sign-on (accounts/oidc.py): going to the provider, coming back,
and logging out of both."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import oidc

# Where the person goes once signed in, kept from the start to the provider's return.
NEXT_SESSION_KEY = "oidc_next"
REFUSAL_STATUS = {
    oidc.Refusal.PROVIDER_UNAVAILABLE: 503,
    oidc.Refusal.NOT_CONFIRMED: 400,
    oidc.Refusal.UNKNOWN_IDENTITY: 403,
    oidc.Refusal.NOT_ALLOWED: 403,
}


def start(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404
    next_path = request.GET.get("next", "")
    # Only a path of this site: never another host, whatever its spelling.
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = ""
    request.session[NEXT_SESSION_KEY] = next_path
    try:
        return oidc.authorization_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("oidc_callback"))
        )
    except oidc.ProviderUnavailable:
        return _refused(request, oidc.Refusal.PROVIDER_UNAVAILABLE)


def callback(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404
    outcome = oidc.finish(request)
    next_path = request.session.pop(NEXT_SESSION_KEY, "")
    if outcome.user is None:
        assert outcome.refusal is not None
        return _refused(request, outcome.refusal, identity=outcome.identity)
    auth.login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[oidc.ID_TOKEN_SESSION_KEY] = outcome.id_token
    return redirect(next_path or settings.LOGIN_REDIRECT_URL)


def _refused(request: HttpRequest, refusal: oidc.Refusal, *, identity: str = "") -> HttpResponse:
    """A page in the person's language that says why nobody was signed in."""
    return render(
        request,
        "accounts/oidc_refused.html",
        {"refusal": refusal, "identity": identity, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=REFUSAL_STATUS[refusal],
    )


class LogoutView(auth_views.LogoutView):
    """Logging out; signed in through the provider, the provider's session ends too."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        id_token = request.session.get(oidc.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if id_token and oidc.enabled():
            # A fixed address, the one registered at the provider.
            after = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
            end_session = oidc.end_session_url(id_token=id_token, post_logout_redirect_uri=after)
            if end_session:
                return HttpResponseRedirect(end_session)
        return response
