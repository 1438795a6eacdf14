import pytest
from django.core.files.storage import storages

from financement.models import DepenseAtelier


@pytest.fixture(autouse=True)
def stockage_prive(settings, tmp_path, monkeypatch):
    """The private storage in a temporary folder: the settings say so, and the receipt field (whose storage
    is resolved when the model is imported) uses the storage those settings build."""
    location = tmp_path / "prive"
    settings.STORAGES = {
        **settings.STORAGES,
        "prive": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    monkeypatch.setattr(DepenseAtelier._meta.get_field("justificatif"), "storage", storages["prive"])
    return location
