"""The private storage: uploaded receipts and generated batches of sheets.

It lies outside the public web root (``PRIVATE_ROOT``, never under ``MEDIA_URL`` or ``STATIC_URL``)
and nothing serves it but the authorised views, which check the permission and write the access log.
"""

from django.core.files.storage import storages


def prive():
    """The ``prive`` storage (callable, so that migrations name it instead of its settings)."""
    return storages["prive"]
