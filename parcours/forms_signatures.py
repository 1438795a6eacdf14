"""The signature form: the drawing (a PNG data URL the pad puts in a hidden field) and the target it
was drawn for, checked against the page's (:mod:`parcours.views.signatures`)."""

from django import forms

from parcours.models.signatures import IMAGE_MAX_OCTETS, Signataire

# A data URL is the PNG in base64 (4/3 of its bytes) behind a short prefix.
IMAGE_MAX_CARACTERES = IMAGE_MAX_OCTETS * 4 // 3 + 100


class SignatureForm(forms.Form):
    image = forms.CharField(
        label="Signature",
        widget=forms.HiddenInput(attrs={"data-signature-image": ""}),
        required=False,  # an empty drawing is refused by the rule, with its own message
        max_length=IMAGE_MAX_CARACTERES,
        error_messages={
            "max_length": f"La signature dépasse {IMAGE_MAX_OCTETS // 1000} ko : effacez et signez à nouveau."
        },
    )
    # What the page was opened for: a signature posted from a stale page for someone else is refused.
    cible = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, cible, **kwargs):
        super().__init__(*args, **kwargs)
        self.cible_attendue = cible
        self.fields["cible"].initial = cible

    def erreurs_des_champs_caches(self) -> list:
        """The errors of the hidden fields (the target, the signer), shown above the pad: they have no
        field of their own on the page. The drawing's are shown under the pad, the form's at the top."""
        return [
            error
            for field in self.hidden_fields()
            if field.name != "image"
            for error in self.errors.get(field.name, [])
        ]

    def image_a_garder(self) -> str:
        """The drawing as posted, shown again on the pad after a refusal that is not about the drawing."""
        if self.errors.get("image"):
            return ""
        return self.data.get("image", "") if self.is_bound else ""


class SignatureEntretienForm(SignatureForm):
    """An entretien's: the participant's, then the référent's (who signs is on the page, in a hidden field)."""

    signataire = forms.ChoiceField(choices=Signataire.choices, widget=forms.HiddenInput)

    def __init__(self, *args, signataire=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signataire"].initial = signataire
