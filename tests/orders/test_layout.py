"""The base layout every page shares: its links, the current section and the language
switcher, in English and in French."""

from html.parser import HTMLParser

import pytest
from django.templatetags.static import static
from django.urls import reverse

from tests.disputes.builders import make_seller_account

pytestmark = pytest.mark.django_db


class Layout(HTMLParser):
    """The layout's parts of a page: the title, the two navigations' links (with their
    aria-current), and the language switcher's options and hidden fields."""

    def __init__(self, page):
        super().__init__()
        self.title = ""
        self.navs = {}  # class -> (aria-label, [(href, aria-current, text)])
        self.options = []  # (value, lang, selected, text)
        self.hidden = {}
        self.links = []
        self._nav = self._link = self._option = None
        self._in_title = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "nav":
            self._nav = self.navs.setdefault(attrs["class"], (attrs["aria-label"], []))[1]
        elif tag == "a" and self._nav is not None:
            self._link = [attrs["href"], attrs.get("aria-current"), ""]
        elif tag == "option":
            self._option = [attrs["value"], attrs.get("lang"), "selected" in attrs, ""]
        elif tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs["value"]
        elif tag in ("link", "script"):
            self.links.append(attrs.get("href") or attrs.get("src"))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "nav":
            self._nav = None
        elif tag == "a" and self._link is not None:
            self._nav.append((self._link[0], self._link[1], self._link[2].strip()))
            self._link = None
        elif tag == "option":
            self.options.append(tuple(self._option))
            self._option = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._link is not None and data.strip() not in ("☰", "●"):
            self._link[2] += data
        if self._option is not None:
            self._option[3] += data


def layout_of(response):
    assert response.status_code == 200
    return Layout(response.content.decode())


def test_the_navigations_link_the_orders_and_my_account(buyer_client):
    layout = layout_of(buyer_client.get(reverse("orders:list")))
    orders, account = reverse("orders:list"), reverse("orders:account")
    assert layout.navs["top-nav"] == (
        "Main",
        [(orders, None, "Orders"), (account, None, "My account")],
    )
    assert layout.navs["bottom-bar"] == (
        "Main",
        [(orders, "page", "Orders"), (account, None, "My account")],
    )
    assert layout.title.endswith(" · Dispute centre")


def test_my_account_is_the_current_section_on_my_account(buyer_client):
    layout = layout_of(buyer_client.get(reverse("orders:account")))
    assert layout.navs["bottom-bar"][1] == [
        (reverse("orders:list"), None, "Orders"),
        (reverse("orders:account"), "page", "My account"),
    ]
    assert layout.title == "My account · Dispute centre"


def test_the_sellers_disputes_mark_disputes_as_their_section(client):
    client.force_login(make_seller_account().user)
    layout = layout_of(client.get(reverse("disputes:seller_list")))
    links = layout.navs["bottom-bar"][1]
    assert [(link[0], link[1]) for link in links] == [
        (reverse("disputes:seller_list"), "true"),
        (reverse("orders:list"), None),
        (reverse("orders:account"), None),
    ]


def test_the_language_switcher_names_each_language_in_itself(buyer_client):
    layout = layout_of(buyer_client.get(reverse("orders:list"), {"status": "received"}))
    assert layout.options == [
        ("en", "en", True, "English"),
        ("fr", "fr", False, "Français"),
    ]
    assert layout.hidden["next"] == reverse("orders:list") + "?status=received"
    assert layout.hidden["csrfmiddlewaretoken"]


def test_in_french_the_layout_speaks_french_and_french_is_selected(buyer_client):
    buyer_client.cookies["django_language"] = "fr"
    response = buyer_client.get(reverse("orders:account"))
    layout = layout_of(response)
    assert '<html lang="fr">' in response.content.decode()
    assert layout.title == "Mon compte · Centre des litiges"
    assert layout.navs["top-nav"] == (
        "Principal",
        [
            (reverse("orders:list"), None, "Commandes"),
            (reverse("orders:account"), None, "Mon compte"),
        ],
    )
    assert layout.navs["bottom-bar"][1][1] == (reverse("orders:account"), "page", "Mon compte")
    # Each language keeps its own name, whatever the page's language.
    assert layout.options == [
        ("en", "en", False, "English"),
        ("fr", "fr", True, "Français"),
    ]


def test_a_visitor_signed_out_has_the_switcher_but_no_navigation(client):
    layout = layout_of(client.get(reverse("login")))
    assert layout.navs == {}
    assert [option[0] for option in layout.options] == ["en", "fr"]


def test_the_layout_links_its_styles_and_scripts_as_static_does(buyer_client):
    layout = layout_of(buyer_client.get(reverse("orders:account")))
    for path in ("favicon.svg", "css/app.css", "js/page.js", "django_htmx/htmx-2.min.js"):
        assert static(path) in layout.links
