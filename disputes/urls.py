from django.contrib.auth.decorators import login_required
from django.urls import include, path

from . import views
from .wizard import OpenDisputeWizard, ReopenDisputeWizard

app_name = "disputes"

urlpatterns = [
    path("orders/<str:number>/dispute/", login_required(OpenDisputeWizard.as_view()), name="open"),
    path("disputes/<int:pk>/", views.dispute_detail, name="detail"),
    path("disputes/<int:pk>/cancel/", views.cancel_dispute, name="cancel"),
    path("disputes/<int:pk>/reopen/", login_required(ReopenDisputeWizard.as_view()), name="reopen"),
    path("disputes/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("evidence/", include("disputes.evidence_urls")),
]
