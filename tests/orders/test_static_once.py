"""``{% static_once %}`` gives ``{% static %}``'s URL, asks the storage once per path, and
forgets what it kept when a setting the URL depends on changes."""

from unittest import mock

import pytest
from django.template import Context, Template
from django.templatetags.static import static
from django.test import override_settings

from orders.templatetags.static_once import static_url


@pytest.fixture(autouse=True)
def nothing_kept():
    static_url.cache_clear()
    yield
    static_url.cache_clear()


def render(source, **context):
    return Template("{% load static static_once %}" + source).render(Context(context))


def test_it_gives_the_same_url_as_static():
    for path in ("css/app.css", "favicon.svg", "a file & more.js"):
        assert render("{% static_once path %}", path=path) == render("{% static path %}", path=path)


def test_it_asks_the_storage_once_per_path():
    with mock.patch("orders.templatetags.static_once.static", wraps=static) as asked:
        first = render("{% static_once 'css/app.css' %}")
        assert render("{% static_once 'css/app.css' %}") == first
        render("{% static_once 'js/page.js' %}")
    assert [call.args for call in asked.call_args_list] == [("css/app.css",), ("js/page.js",)]


def test_it_can_store_the_url_in_a_variable():
    assert render("{% static_once 'css/app.css' as url %}[{{ url }}]") == (
        render("[{% static 'css/app.css' %}]")
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"STATIC_URL": "https://cdn.example.com/assets/"},
        {
            "STORAGES": {
                "staticfiles": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"base_url": "/elsewhere/"},
                }
            }
        },
    ],
)
def test_a_changed_static_setting_is_seen_at_once_and_forgotten_after(changed):
    before = render("{% static_once 'css/app.css' %}")
    with override_settings(**changed):
        during = render("{% static_once 'css/app.css' %}")
        assert during == render("{% static 'css/app.css' %}")
        assert during != before
    assert render("{% static_once 'css/app.css' %}") == before
