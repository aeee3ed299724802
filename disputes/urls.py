from django.contrib.auth.decorators import login_required
from django.urls import include, path

from . import seller_views, views
from .evidence.upload_handler import streams_evidence
from .models import Party
from .wizard import OpenDisputeWizard, ReopenDisputeWizard

app_name = "disputes"

# The wizards receive evidence without JavaScript too, so they stream uploads like the panel.
open_wizard = login_required(streams_evidence(OpenDisputeWizard.as_view()))
reopen_wizard = login_required(streams_evidence(ReopenDisputeWizard.as_view()))


urlpatterns = [
    path("orders/<str:number>/dispute/", open_wizard, name="open"),
    path("disputes/<int:pk>/", views.dispute_detail, name="detail"),
    path("disputes/<int:pk>/cancel/", views.cancel_dispute, name="cancel"),
    path("disputes/<int:pk>/reopen/", reopen_wizard, name="reopen"),
    path("disputes/<int:pk>/appeal/", views.appeal, {"party": Party.BUYER}, name="appeal"),
    path("disputes/<int:pk>/accept-offer/", views.accept_offer, name="accept_offer"),
    path("disputes/<int:pk>/mediation/", views.ask_for_mediation, name="ask_for_mediation"),
    path("disputes/<int:pk>/messages/", views.post_message, {"party": Party.BUYER}, name="message"),
    # A parcel that never arrived (PRODUCT.md §2a).
    path("disputes/<int:pk>/accept-new-date/", views.accept_extension, name="accept_extension"),
    path("disputes/<int:pk>/refuse-new-date/", views.refuse_extension, name="refuse_extension"),
    path(
        "disputes/<int:pk>/another-reason/",
        views.keep_with_another_reason,
        name="keep_with_another_reason",
    ),
    path("seller/disputes/<int:pk>/new-date/", seller_views.seller_extend, name="seller_extend"),
    path("disputes/<int:pk>/return/", views.ship_return, name="ship_return"),
    path("seller/disputes/", seller_views.seller_list, name="seller_list"),
    path("seller/disputes/<int:pk>/", seller_views.seller_detail, name="seller_detail"),
    path("seller/disputes/<int:pk>/accept/", seller_views.seller_accept, name="seller_accept"),
    path("seller/disputes/<int:pk>/offer/", seller_views.seller_offer, name="seller_offer"),
    path("seller/disputes/<int:pk>/refuse/", seller_views.seller_refuse, name="seller_refuse"),
    path(
        "seller/disputes/<int:pk>/appeal/",
        views.appeal,
        {"party": Party.SELLER},
        name="seller_appeal",
    ),
    path(
        "seller/disputes/<int:pk>/accept-if-returned/",
        seller_views.seller_accept_if_returned,
        name="seller_accept_if_returned",
    ),
    path(
        "seller/disputes/<int:pk>/return-arrived/",
        seller_views.seller_confirm_return,
        name="seller_confirm_return",
    ),
    path(
        "seller/disputes/<int:pk>/return-problem/",
        seller_views.seller_return_problem,
        name="seller_return_problem",
    ),
    path(
        "seller/disputes/<int:pk>/messages/",
        views.post_message,
        {"party": Party.SELLER},
        name="seller_message",
    ),
    path("evidence/", include("disputes.evidence.urls")),
]
