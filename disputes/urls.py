from django.contrib.auth.decorators import login_required
from django.urls import include, path

from . import views
from .evidence.upload_handler import streams_evidence
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
    path("disputes/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("evidence/", include("disputes.evidence.urls")),
]
