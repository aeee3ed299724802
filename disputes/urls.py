from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import include, path

from . import views
from .evidence.upload_handler import streams_evidence
from .wizard import OpenDisputeWizard, ReopenDisputeWizard

app_name = "disputes"

# The wizards receive evidence without JavaScript too, so they stream uploads like the panel.
open_wizard = login_required(streams_evidence(OpenDisputeWizard.as_view()))
reopen_wizard = login_required(streams_evidence(ReopenDisputeWizard.as_view()))


def seller_detail_placeholder(request, pk):
    """Placeholder for the seller's dispute page, built on another branch; replaced at merge.

    Emails to sellers link here (``disputes.notifications``), so the name must resolve.
    """
    raise Http404


urlpatterns = [
    path("orders/<str:number>/dispute/", open_wizard, name="open"),
    path("disputes/<int:pk>/", views.dispute_detail, name="detail"),
    path("disputes/<int:pk>/cancel/", views.cancel_dispute, name="cancel"),
    path("disputes/<int:pk>/reopen/", reopen_wizard, name="reopen"),
    path("disputes/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("seller/disputes/<int:pk>/", seller_detail_placeholder, name="seller_detail"),
    path("evidence/", include("disputes.evidence.urls")),
]
