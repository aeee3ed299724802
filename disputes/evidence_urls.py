"""Evidence endpoints, included under ``evidence/`` by ``disputes.urls`` (app "disputes")."""

from django.urls import path

from . import evidence_views

urlpatterns = [
    path("upload/", evidence_views.evidence_upload, name="evidence_upload"),
    path("remove/", evidence_views.evidence_remove, name="evidence_remove"),
    path("<int:pk>/<slug:variant>/", evidence_views.evidence_file, name="evidence_file"),
]
