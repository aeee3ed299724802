from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Seller


class ReturnAddressForm(forms.ModelForm):
    """The seller's return address, as buyers will copy it onto a parcel."""

    class Meta:
        model = Seller
        fields = ["return_address"]
        widgets = {"return_address": forms.Textarea(attrs={"rows": 5, "autocomplete": "off"})}
        help_texts = {
            "return_address": _(
                "Name, street, postcode, town and country, as the buyer should write them on "
                "the parcel."
            )
        }
        error_messages = {"return_address": {"required": _("Enter your return address.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["return_address"].required = True
