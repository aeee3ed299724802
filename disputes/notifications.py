"""Emails to the buyer, written in the language they used to open the dispute."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def _send(dispute, template, context):
    buyer = dispute.order.buyer
    if not buyer.email:
        return
    context = {
        "dispute": dispute,
        "order": dispute.order,
        "buyer": buyer,
        "dispute_url": settings.SITE_URL + reverse("disputes:detail", args=[dispute.pk]),
        **context,
    }
    with translation.override(dispute.language):
        subject = render_to_string(f"disputes/email/{template}_subject.txt", context)
        body = render_to_string(f"disputes/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [buyer.email])


def dispute_decided(dispute):
    _send(dispute, "decided", {})


def appeal_answered(appeal):
    _send(appeal.dispute, "appeal_answered", {"appeal": appeal})
