"""The conflict snapshot an edit form carries (plie/conflits.py), for tests that post without the page."""

from plie.conflits import SNAPSHOT_FIELD


def instantane(client, url) -> dict:
    """The hidden snapshot of the form at ``url`` as ``client`` sees it now, ready to post."""
    return {SNAPSHOT_FIELD: client.get(url).context["form"][SNAPSHOT_FIELD].value()}
