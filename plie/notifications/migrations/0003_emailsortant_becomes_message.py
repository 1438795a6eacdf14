from django.db import migrations


class Migration(migrations.Migration):
    """The email outbox becomes the outbox of every channel (email, SMS, letter)."""

    dependencies = [("notifications", "0002_text_length_limits")]

    operations = [migrations.RenameModel("EmailSortant", "Message")]
