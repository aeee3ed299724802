from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data, made through the real actions (``manage.py seed_demo``)."""

    name = "demo"
