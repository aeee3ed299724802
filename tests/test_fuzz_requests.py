"""Crafted requests to every page and form of the site answer 4xx (or 2xx, 3xx), never 500.

Each URL pattern of the resolver is requested by the person it is for — buyer, seller,
mediator or nobody — with data drawn by Hypothesis: the field names of the app's forms
and others, values of any kind (huge numbers, NUL, thousands of characters), files of
random bytes and names, raw bodies under any content type, and odd headers and cookies
(Range, htmx, language, time zone). A URL pattern added later is requested too; one
whose arguments this file cannot fill makes ``test_every_url_pattern_is_fuzzed`` fail,
naming it. The API (``api/``) is fuzzed from its schema by schemathesis (tests/api).
"""

import os
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from disputes import forms as dispute_forms
from disputes.models import Dispute
from tests.conftest import DRAFT_KEY, corpus_upload, store_evidence
from tests.disputes.builders import (
    DESCRIPTION,
    agreed_dispute,
    answerable_dispute,
    cancelled_dispute,
    decided_dispute,
    disputable_order,
    make_mediator,
    offered_dispute,
    seller_of,
)
from tests.factories import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

# Who requests each part of the site; a name not matched here is not fuzzed (and fails).
SIDES = [
    (re.compile(r"^admin:(disputes_.*|index|login|logout)$"), "mediator"),
    (re.compile(r"^disputes:seller_"), "seller"),
    (re.compile(r"^(orders|disputes):"), "buyer"),
    (
        re.compile(r"^(login|logout|oidc_start|oidc_callback|set_language|health|readiness)$"),
        "anonymous",
    ),
    (re.compile(r"^(sign_in_handoff|continue_as|email_sign_in_link)$"), "anonymous"),
    # Prometheus, from this machine's address as the test client's requests are.
    (re.compile(r"^metrics$"), "anonymous"),
]
# Parts fuzzed elsewhere: the API by schemathesis; and Django's own admin of the models
# mediators do not work in (accounts, orders, tasks), with no form of ours.
NOT_HERE = re.compile(r"^api/")
OTHER_ADMIN = re.compile(r"^admin:(?!disputes_|index$|login$|logout$)")

FORM_FIELDS = sorted(
    {
        name
        for form in vars(dispute_forms).values()
        if isinstance(form, type) and issubclass(form, forms.BaseForm)
        for name in form.base_fields
    }
    | {"order", "draft", "dispute", "evidence_pk", "next", "language", "wizard_goto_step"}
    | {"username", "password", "old_password", "new_password1", "new_password2", "email"}
    | {"token"}
    | {"post", "action", "_selected_action", "_save", "index", "select_across"}
)
WIZARD_STEPS = ["reason", "refund", "details", "review"]
odd_text = st.one_of(
    st.text(max_size=40),
    # "²" is a digit to str.isdigit, not to int.
    st.sampled_from(["", "0", "-1", "9" * 5000, "²", "1e999", "NaN", "\x00", "é" * 600, "../.."]),
    st.integers().map(str),
    st.decimals(allow_nan=True).map(str),
)


def url_patterns(patterns=None, prefix="", namespace=""):
    """Every URL pattern: (its route, its name with namespaces, its argument names)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, list(pattern.pattern.converters)


def fuzzed_patterns():
    """The named patterns of the buyer, seller and mediator sides: (name, side, arguments)."""
    for route, name, arguments in url_patterns():
        if name is None or NOT_HERE.match(route) or OTHER_ADMIN.match(name):
            continue  # unnamed: redirects and admin's catch-all, reached through the others
        side = next((side for rule, side in SIDES if rule.match(name)), None)
        yield name, side, arguments


class Site:
    """Disputes in every state a form acts on, and a client for each side."""

    def __init__(self, buyer):
        self.buyer = buyer
        self.waiting = answerable_dispute(buyer)
        self.seller = seller_of(self.waiting)
        self.offered = offered_dispute(buyer)
        self.decided = decided_dispute(buyer)
        self.cancelled = cancelled_dispute(buyer)
        self.refund = agreed_dispute(buyer).refund_instructions.get()
        self.disputable = disputable_order(buyer)
        self.in_transit = make_order(buyer, shipped_at=self.waiting.opened_at)
        self.mediator = make_mediator()
        self.evidence = store_evidence(
            [corpus_upload("good/png_photo_hopper.png")], buyer, self.disputable
        ).stored[0]
        self.users = {"buyer": buyer, "seller": self.seller, "mediator": self.mediator}
        self.clients = {
            side: Client(raise_request_exception=False)
            for side in ["buyer", "seller", "mediator", "anonymous"]
        }
        # The buyer has the wizard open, as when a crafted step is posted to it.
        self.clients["buyer"].force_login(buyer)
        self.clients["buyer"].get(self.wizard_url)

    @property
    def wizard_url(self):
        return reverse("disputes:open", args=[self.disputable.number])

    def known_attacks(self):
        """Crafted requests that answered 500 once, each tried first on every run."""
        video = reverse("disputes:evidence_file", args=[self.evidence.pk, "original"])
        wizard_step = f"dispute_wizard_{self.disputable.pk}-current_step"
        return [
            ("buyer", "get", video, {"HTTP_RANGE": "bytes=" + "9" * 5000 + "-"}, {}),
            (
                "buyer",
                "post",
                reverse("disputes:evidence_remove"),
                {"data": {"evidence_pk": "²"}},
                {},
            ),
            (
                "buyer",
                "post",
                self.wizard_url,
                {"data": {wizard_step: "details", "details-description": DESCRIPTION}},
                {},
            ),
        ]

    def arguments(self, name, arguments, choose):
        """Values for a pattern's arguments, each picked by ``choose`` among the objects
        the page is about and a few no page is about; None for an argument not known."""
        disputes = [self.waiting, self.offered, self.decided, self.cancelled]
        orders = [self.disputable, self.in_transit, self.waiting.order]
        options = {
            "number": [order.number for order in orders] + ["0", "x" * 300],
            "pk": [dispute.pk for dispute in disputes] + [0, 10**30],
            "variant": ["thumbnail", "display", "original", "video", "x"],
            "uidb64": ["MQ", "x" * 40, "-"],
            "token": ["set-password", "x" * 40, "-"],
            "content_type_id": [ContentType.objects.get_for_model(Dispute).pk, 0],
            "refund_pk": [self.refund.pk, 0, 10**30],
        }
        if name == "disputes:evidence_file":
            options["pk"] = [self.evidence.pk, 0]
        if name.startswith("admin:") and (pk := self.admin_object_pk(name)) is not None:
            options["pk"] = [pk, 0, 10**30]
        options["object_id"] = options["id"] = [*options["pk"], "x" * 300]
        if any(argument not in options for argument in arguments):
            return None
        return {argument: choose(options[argument]) for argument in arguments}

    def admin_object_pk(self, name):
        """An object of the model an admin URL is about (its name says which)."""
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if name.startswith(prefix):
                instance = model._default_manager.order_by("pk").first()
                return instance.pk if instance else None
        return None


def test_every_url_pattern_is_fuzzed(buyer):
    site = Site(buyer)
    unknown = [
        name
        for name, side, arguments in fuzzed_patterns()
        if side is None or site.arguments(name, arguments, lambda options: options[0]) is None
    ]

    assert unknown == [], f"Say who requests these and with what arguments: {unknown}"


# What a server hands Django in headers and cookies: bytes read as latin-1, one line each.
header_text = st.one_of(
    st.binary(max_size=60).map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(["", "true", "bytes=" + "9" * 5000 + "-", "bytes=-1", "fr", "Europe/Paris"]),
    st.sampled_from(["../../etc/passwd", "\x00", "é" * 600, "9" * 5000]).map(str),
).filter(lambda value: "\r" not in value and "\n" not in value)
HEADERS = [
    "HTTP_RANGE",
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_IF_MODIFIED_SINCE",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=b",
    "application/json",
    "text/plain",
]


@st.composite
def crafted_requests(draw, site, patterns):
    """A request to one of ``patterns``: (side, method, path, client options, cookies)."""
    name, side, arguments = draw(st.sampled_from(patterns))
    path = reverse(name, kwargs=site.arguments(name, arguments, draw_from(draw)))
    headers = draw(st.dictionaries(st.sampled_from(HEADERS), header_text, max_size=3))
    cookies = draw(
        st.dictionaries(st.sampled_from(["tz", "django_language"]), header_text, max_size=2)
    )
    method = draw(st.sampled_from(["get", "post", "post", "post", "head", "put"]))
    if method != "post":
        query = draw(st.dictionaries(st.sampled_from(FORM_FIELDS), odd_text, max_size=3))
        return side, method, path, {"data": query, **headers}, cookies
    if draw(st.integers(0, 3)) == 0:  # a raw body under any content type
        content_type = draw(st.sampled_from(CONTENT_TYPES))
        body = draw(st.binary(max_size=300))
        return side, method, path, {"data": body, "content_type": content_type, **headers}, cookies
    prefixes = [f"dispute_wizard_{site.disputable.pk}", f"dispute_reopen_{site.cancelled.pk}_0"]
    field_names = st.one_of(
        st.sampled_from(FORM_FIELDS),
        st.tuples(st.sampled_from(WIZARD_STEPS), st.sampled_from(FORM_FIELDS)).map("-".join),
        st.sampled_from(prefixes).map(lambda prefix: f"{prefix}-current_step"),
        st.text(max_size=20),
    )
    post = draw(st.dictionaries(field_names, odd_text, max_size=6))
    for field in post:
        if field.endswith("-current_step") and draw(st.booleans()):
            post[field] = draw(st.sampled_from(WIZARD_STEPS))
    if "draft" in post and draw(st.booleans()):
        post["draft"] = DRAFT_KEY
    if draw(st.booleans()):
        # Any name a client can send; the test client itself refuses "", "." and "..".
        name = draw(st.text(min_size=1, max_size=30).filter(is_sendable_file_name))
        post["evidence"] = [SimpleUploadedFile(name, draw(st.binary(max_size=200)))]
    return side, method, path, {"data": post, **headers}, cookies


def is_sendable_file_name(name):
    return os.path.basename(name) not in {"", ".", ".."}


def draw_from(draw):
    return lambda options: draw(st.sampled_from(options))


@pytest.mark.parametrize("side", ["buyer", "seller", "mediator", "anonymous"])
def test_crafted_requests_never_answer_500(buyer, side):
    site = Site(buyer)
    patterns = [pattern for pattern in fuzzed_patterns() if pattern[1] == side]

    @settings(
        # A few requests per page of the side: the whole file in well under a minute.
        max_examples=8 * len(patterns),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(crafted=crafted_requests(site, patterns))
    def check(crafted):
        side, method, path, options, cookies = crafted
        client = site.clients[side]
        if side != "anonymous":
            client.force_login(site.users[side])  # signed out by an earlier request
        for key in ["tz", "django_language"]:  # the session cookie stays, and the wizard
            client.cookies.pop(key, None)
        for key, value in cookies.items():
            client.cookies[key] = value
        response = getattr(client, method)(path, **options)
        assert response.status_code < 500, (method, path, options, cookies)

    for attack in site.known_attacks():
        if attack[0] == side:
            check = example(crafted=attack)(check)
    check()
