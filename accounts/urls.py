"""Logging in and out, and signing in by link. Nothing else of ``django.contrib.auth.urls``:
accounts come from the marketplace, which signs its people in (its hand-off, the link in
every email), so there is no password; staff passwords are set by an administrator."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/<str:token>/", views.sign_in_handoff, name="sign_in_handoff"),
    path("continue/<str:token>/", views.continue_as, name="continue_as"),
    path("sign-in-link/", views.email_link, name="email_sign_in_link"),
]
