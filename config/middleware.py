"""An htmx request answered with a redirect leads to a whole page, never a page in a page.

The browser follows a redirect inside an htmx request by itself and hands htmx the page it
lands on, which htmx would swap into the fragment the request targets: the order page, or
the login page, nested inside the wizard. Here such a redirect becomes django-htmx's
``HttpResponseClientRedirect``, and htmx sends the whole window there instead, as the
browser would have gone without JavaScript. Error answers (403, 404, 500) are shown as the
whole page by htmx's ``responseHandling``, set in templates/base.html.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxRedirectMiddleware:
    """Turn redirects answering htmx requests into whole-window navigations (HX-Redirect).

    Must come after django-htmx's ``HtmxMiddleware``, which sets ``request.htmx``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.htmx and _is_redirect(response):
            client_redirect = HttpResponseClientRedirect(
                _whole_page_destination(request, response["Location"])
            )
            client_redirect.cookies = response.cookies
            return client_redirect
        return response


def _is_redirect(response):
    # django-htmx's client redirects are HttpResponseRedirectBase too, answered with a 200.
    return isinstance(response, HttpResponseRedirectBase) and 300 <= response.status_code < 400


def _whole_page_destination(request, location):
    """Where the window goes: ``location``, except that logging in again (an expired
    session) leads back to the page the buyer was on, not to a fragment's endpoint such as
    the evidence upload, which has no page of its own."""
    page = request.htmx.current_url_abs_path
    if page and urlsplit(location).path == resolve_url(settings.LOGIN_URL):
        return redirect_to_login(page).url
    return location
