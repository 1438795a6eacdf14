"""SMS: the providers behind one interface (:mod:`plie.sms.base`), chosen by ``SMS_BACKEND``."""

from django.conf import settings


def fournisseur():
    """The configured provider (console and file for the demo, Brevo or OVHcloud in production)."""
    config = settings.SMS
    backend = config["backend"]
    if backend == "file":
        from plie.sms.console import Fichier

        return Fichier(config["file_path"])
    if backend == "brevo":
        from plie.sms.brevo import Brevo

        return Brevo(config)
    if backend == "ovh":
        from plie.sms.ovh import OVH

        return OVH(config)
    from plie.sms.console import Console

    return Console()
