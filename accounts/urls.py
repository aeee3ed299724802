"""Logging in and out, and the three ways the marketplace's people sign in: its hand-off
link, the link in every email, and single sign-on. Nothing else of
``django.contrib.auth.urls``: accounts come from the marketplace, so they have no password
here; staff passwords are set by an administrator."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc_views, views
from .forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", oidc_views.LogoutView.as_view(), name="logout"),
    path("sign-in/<str:token>/", views.sign_in_handoff, name="sign_in_handoff"),
    path("continue/<str:token>/", views.continue_as, name="continue_as"),
    path("sign-in-link/", views.email_link, name="email_sign_in_link"),
    path("oidc/start/", oidc_views.start, name="oidc_start"),
    path("oidc/callback/", oidc_views.callback, name="oidc_callback"),
]
