"""Concurrent edits: a second save never silently overwrites a first one.

Every edit form mixes in :class:`ConflictDetectionMixin`. The form carries, in a hidden field, a signed
snapshot of the edited fields as the person saw them. On POST, the view calls :meth:`sans_conflit`
inside ``transaction.atomic()``: the row is locked (``select_for_update``) and compared with the
snapshot. If someone else changed an edited field meanwhile, nothing is saved, the form shows at its
top what the other person changed (and who, when, from the history), every value this person typed
stays in the form, and the snapshot becomes the current values: a second submit, after reading,
saves.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone

SNAPSHOT_FIELD = "instantane"
VIDE = "(vide)"


class ConflictDetectionMixin:
    """For a ModelForm editing an existing row (a new row has nobody to conflict with)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflits = []  # (label, value seen, value now) of the last refused save
        self.conflit = False  # the save was refused: someone else's change, or an unverifiable snapshot
        if self.instance.pk is None:
            return
        self.fields[SNAPSHOT_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.initial[SNAPSHOT_FIELD] = self._sign(self._values(self.instance))

    # --- what is compared ------------------------------------------------------------------------

    def _edited_fields(self):
        """The model fields this form edits (m2m included)."""
        meta = self.instance._meta
        fields = []
        for name in self.fields:
            if name == SNAPSHOT_FIELD:
                continue
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field (a confirmation box, say)
                continue
            if field.primary_key:  # a model formset's hidden id, added after the snapshot: never edited
                continue
            if field.concrete or field.many_to_many:
                fields.append(field)
        return fields

    def _values(self, instance):
        values = {}
        for field in self._edited_fields():
            if field.many_to_many:
                values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
            else:
                values[field.name] = _jsonable(field.value_from_object(instance))
        return values

    def _salt(self):
        return f"plie.conflits:{self.instance._meta.label_lower}:{self.instance.pk}"

    def _sign(self, values):
        return signing.dumps(values, salt=self._salt(), compress=True)

    def _seen(self):
        """The values as the person saw them, or None when the snapshot is missing or tampered with."""
        token = self.data.get(self.add_prefix(SNAPSHOT_FIELD), "")
        try:
            values = signing.loads(token, salt=self._salt())
        except signing.BadSignature:
            return None
        return values if isinstance(values, dict) else None

    def modifie_par_la_personne(self) -> bool:
        """Whether this person changed an edited field from what they saw (call after ``is_valid()``).

        Not ``has_changed()``, which compares with the row as it is now: in a formset, a row someone
        else changed meanwhile would look changed by this person too.
        """
        if self.instance.pk is None:
            return True
        seen = self._seen()
        if seen is None:
            return True
        typed = self._values(self.instance)  # the instance holds the cleaned values after is_valid()
        for field in self._edited_fields():
            if field.many_to_many:
                typed[field.name] = sorted(obj.pk for obj in self.cleaned_data.get(field.name) or [])
        return any(seen.get(name) != value for name, value in typed.items())

    # --- the check -------------------------------------------------------------------------------

    def sans_conflit(self) -> bool:
        """Lock the row and compare. Call inside ``transaction.atomic()``, after ``is_valid()``.

        True: save. False: the form carries the conflict message and the fresh snapshot.
        """
        if self.instance.pk is None:
            return True
        model = type(self.instance)
        current = model._default_manager.select_for_update().get(pk=self.instance.pk)
        now = self._values(current)
        seen = self._seen()
        if seen is None:
            self._refuse(
                now,
                "Le formulaire n'a pas pu être vérifié (il vient d'une autre page ou a été altéré) : rien n'est "
                "enregistré. Vos saisies sont conservées ci-dessous ; relisez-les et enregistrez à nouveau.",
            )
            return False
        changed = [field for field in self._edited_fields() if seen.get(field.name) != now[field.name]]
        if changed:
            self.conflits = [
                (
                    self.fields[f.name].label or f.verbose_name,
                    self._display(f, seen.get(f.name)),
                    self._display(f, now[f.name]),
                )
                for f in changed
            ]
            self._refuse(now, self._message(current))
            for label, before, after in self.conflits:
                self.add_error(None, f"{label} : {before} → {after}")
            return False
        # The row is saved as it is now, with this person's fields applied: what others changed in
        # fields this form does not edit (a status, the active flag) is kept.
        edited = {f.name for f in self._edited_fields()}
        for field in model._meta.concrete_fields:
            if field.name not in edited and not field.primary_key:
                setattr(self.instance, field.attname, getattr(current, field.attname))
        return True

    def _refuse(self, now, message):
        self.conflit = True
        self.add_error(None, message)
        self.data = self.data.copy()
        self.data[self.add_prefix(SNAPSHOT_FIELD)] = self._sign(now)

    def _message(self, current):
        auteur = ""
        history = getattr(current, "history", None)
        record = history.select_related("history_user").first() if history is not None else None
        if record is not None:
            quand = timezone.localtime(record.history_date)
            qui = record.history_user.get_full_name() if record.history_user else "quelqu'un d'autre"
            auteur = f" ({qui}, le {quand:%d/%m/%Y à %H:%M})"
        return (
            f"Quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez{auteur} : rien n'est "
            "enregistré. Voici ce qui a changé (valeur que vous aviez sous les yeux → valeur enregistrée). "
            "Vos saisies sont conservées ci-dessous : relisez-les, puis enregistrez à nouveau pour les confirmer."
        )

    def _display(self, field, raw):
        if raw in (None, "", []):
            return VIDE
        if field.many_to_many:
            related = field.related_model._default_manager.filter(pk__in=raw)
            return ", ".join(sorted(str(obj) for obj in related)) or VIDE
        if field.is_relation:
            obj = field.related_model._default_manager.filter(pk=raw).first()
            return str(obj) if obj is not None else VIDE
        choices = dict(field.flatchoices) if field.choices else {}
        form_field = self.fields.get(field.name)
        if (
            not choices
            and isinstance(form_field, forms.ChoiceField)
            and not isinstance(form_field, forms.ModelChoiceField)
        ):
            choices = {str(k): v for k, v in form_field.choices}
        if isinstance(raw, list):
            return ", ".join(str(choices.get(str(item), item)) for item in raw)
        if choices:
            return str(choices.get(raw, raw))
        if isinstance(field, models.BooleanField):
            return "oui" if raw else "non"
        if isinstance(field, models.DateTimeField):
            return f"{timezone.localtime(datetime.datetime.fromisoformat(raw)):%d/%m/%Y %H:%M}"
        if isinstance(field, models.DateField):
            return f"{datetime.date.fromisoformat(raw):%d/%m/%Y}"
        if isinstance(field, models.DecimalField):
            return formats.number_format(Decimal(raw), use_l10n=True)
        return str(raw)


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
