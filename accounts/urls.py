"""Logging in and out. Nothing else of ``django.contrib.auth.urls``: accounts come from the
marketplace, which signs its people in, so there is no password reset by email (nor an
email sent from a request); staff passwords are set by an administrator."""

from django.contrib.auth import views
from django.urls import path

from . import oidc_views
from .forms import LoginForm

urlpatterns = [
    path("login/", views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", oidc_views.LogoutView.as_view(), name="logout"),
    path("oidc/start/", oidc_views.start, name="oidc_start"),
    path("oidc/callback/", oidc_views.callback, name="oidc_callback"),
]
