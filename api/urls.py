from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import refunds, sign_in_links, views
from .errors import not_found

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI description, public: it holds no data, only the API's shape."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    url_name = "api:schema"


# Swagger UI (served from this site, scripts in files) sets a few inline styles.
docs_policy = settings.SECURE_CSP | {
    "style-src": [*settings.SECURE_CSP["style-src"], "'unsafe-inline'"]
}

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", csp_override(docs_policy)(DocsView.as_view()), name="docs"),
    path("orders/", views.OrdersView.as_view(), name="orders"),
    re_path(r"^orders/(?P<number>[0-9A-Za-z-]{1,32})/$", views.OrderView.as_view(), name="order"),
    path("events/", views.EventsView.as_view(), name="events"),
    path("disputes/", views.DisputesView.as_view(), name="disputes"),
    path("disputes/<int:pk>/", views.DisputeView.as_view(), name="dispute"),
    path("refunds/", refunds.RefundsView.as_view(), name="refunds"),
    path(
        "refunds/<uuid:refund_id>/executed/",
        refunds.RefundExecutedView.as_view(),
        name="refund_executed",
    ),
    path(
        "refunds/<uuid:refund_id>/failed/",
        refunds.RefundFailedView.as_view(),
        name="refund_failed",
    ),
    path("sign-in-links/", sign_in_links.SignInLinksView.as_view(), name="sign_in_links"),
    re_path(r"^.*$", not_found),
]
