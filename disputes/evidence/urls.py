"""Evidence endpoints, included under ``evidence/`` by ``disputes.urls`` (app "disputes")."""

from django.urls import path

from . import views

urlpatterns = [
    path("upload/", views.evidence_upload, name="evidence_upload"),
    path("remove/", views.evidence_remove, name="evidence_remove"),
    path("<int:pk>/<slug:variant>/", views.evidence_file, name="evidence_file"),
]
