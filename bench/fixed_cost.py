"""What every logged-in request pays before its view reads a row, in instructions.

Counted by Valgrind's callgrind as in ``bench/instructions.py``, against a database the
benchmark kept (``bench/run.py --keep-db``, same ``BENCH_DB``), with the benchmark's
settings and the buyer's session: a request to a view that only reads ``request.user``
(anonymous, then logged in), the same view rendering a template through the context
processors, the same request with each middleware left out in turn (what it costs is the
difference), and the session read, the user read and the app's URL resolution alone. Usage:
``BENCH_DB=disputes_bench_mine .venv/bin/python bench/fixed_cost.py`` (about a minute).
"""

import argparse
import gc
from http.cookies import SimpleCookie
from pathlib import Path

import instructions
import run

# Middleware that others need: their cost is in the session read and the user read.
NEEDED = ("SessionMiddleware", "AuthenticationMiddleware", "MessageMiddleware")
TEMPLATE = None


def plain(request):
    from django.http import HttpResponse

    return HttpResponse(str(request.user.pk))


def rendered(request):
    from django.http import HttpResponse
    from django.template import engines

    global TEMPLATE
    if TEMPLATE is None:
        TEMPLATE = engines["django"].from_string(
            "{{ user.pk }}{% if messages %}!{% endif %}{{ LANGUAGE_CODE }}{{ request.path }}"
        )
    return HttpResponse(TEMPLATE.render({}, request))


def urlpatterns_():
    from django.urls import path

    return [path("plain", plain), path("rendered", rendered)]


def inside(args):
    """Under valgrind: each step's repeats measured apart, their names written down."""
    run.setup_django()
    import profile_pages
    from django.conf import settings
    from django.contrib import auth
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.test import Client, RequestFactory
    from django.urls import resolve

    targets = profile_pages.targets()
    app_urls = settings.ROOT_URLCONF
    order_page = f"/orders/{targets.order_number}/"
    dispute_page = f"/disputes/{targets.dispute_id}/"
    globals()["urlpatterns"] = urlpatterns_()
    settings.ROOT_URLCONF = __name__
    cookie = run.browser_cookies(targets.buyer_id)
    session_key = SimpleCookie(cookie)[settings.SESSION_COOKIE_NAME].value
    stack = list(settings.MIDDLEWARE)

    def client(middleware=stack, logged_in=True):
        settings.MIDDLEWARE = middleware
        client = Client(HTTP_HOST=run.HOST, headers={"Cookie": cookie} if logged_in else {})
        client.handler.load_middleware()  # now, with this list
        return client

    steps = [
        ("anonymous", client(logged_in=False), "/plain"),
        ("logged in", client(), "/plain"),
        ("logged in, a template with the context processors", client(), "/rendered"),
    ]
    for path in stack:
        if path.endswith(NEEDED):
            continue
        # django-htmx's middleware sets request.htmx, which the redirect middleware reads.
        left_out = (
            {path, "config.middleware.HtmxRedirectMiddleware"} if "django_htmx" in path else {path}
        )
        label = " and ".join(sorted(p.rsplit(".", 1)[1] for p in left_out))
        steps.append(
            (
                f"logged in, without {label}",
                client([p for p in stack if p not in left_out]),
                "/plain",
            )
        )
    settings.MIDDLEWARE = stack
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    calls = [(name, lambda c=c, p=p: c.get(p)) for name, c, p in steps] + [
        ("the session read alone (from the cache)", lambda: SessionStore(session_key).load()),
        ("the user read alone (auth.get_user)", lambda: auth.get_user(request)),
        ("the URL resolution alone, order page", lambda: resolve(order_page, app_urls)),
        ("the URL resolution alone, dispute page", lambda: resolve(dispute_page, app_urls)),
    ]
    for _, call in calls:
        for _ in range(5):
            call()

        def repeated(call=call):
            # No collection of the garbage inside one step's count and not another's.
            gc.disable()
            for _ in range(args.repeats):
                call()
            gc.enable()

        gc.collect()
        instructions.measured(repeated)
    Path(args.inside).write_text("\n".join(name for name, _ in calls))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--inside", help=argparse.SUPPRESS)  # set when run under valgrind
    args = parser.parse_args()
    if args.inside:
        return inside(args)
    counts = instructions.counted_under_callgrind(__file__, args.repeats)
    logged_in = counts["logged in"]
    print(f"{'step':<64} {'instructions':>13} {'its cost':>11}")
    for name, count in counts.items():
        if name.startswith("logged in, without"):
            cost = logged_in - count
        elif name.startswith("logged in, a template"):
            cost = count - logged_in
        elif name == "logged in":
            cost = count - counts["anonymous"]
        else:
            cost = count
        print(f"{name[:64]:<64} {count:>13,.0f} {cost:>11,.0f}")


if __name__ == "__main__":
    main()
