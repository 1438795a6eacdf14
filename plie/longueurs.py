"""Length limits of free text: in the model (forms enforce ``max_length``) and in the database.

A ``TextField`` has no limit of its own: a 1 MB motive would be stored, mailed and shown. Each one
declares ``max_length`` from the limits below, and the table a ``CheckConstraint`` on its length
(``longueur_max``), so that no code path writes more.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

COMMENTAIRE = 2000  # a comment, a question, the details of a refusal
MOTIF = 5000  # the motives of a referral, an answer to the coordination, a journal motive
JOURNAL = 10000  # a log line that quotes a motive with its context
CORPS_EMAIL = 20000


def longueur_max(prefix: str, field: str, limit: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"{prefix}_{field}_length",
        violation_error_message=f"Ce texte dépasse {limit} caractères.",
    )
