"""The workflow kernel: one way to declare and apply the transitions of every state machine.

A machine (parcours, prescription, and the coming rendez-vous, CER, veille, sortie, cellule)
declares its transitions as :class:`Transition` rows (who may ask for each: ``actors``, read by
:mod:`plie.permissions`) and a :class:`Machine` saying which field holds the state, which field
changes on every save (to refuse a stale copy) and how to write the log row. Each transition is
then one method of the model::

    def accueillir(self, by, date_premier_rdv, motif=""):
        with MACHINE.appliquer(self, "accueillir", by, motif):
            ...  # the guard: raise TransitionError; then set the fields

:meth:`Machine.appliquer` locks the row, refuses a stale copy and a wrong source state, checks the
motif, lets the caller check its guard and apply, then saves (simple-history records ``by``) and
writes the log row, all in one transaction: a refused guard leaves the row as it was.

A transition declared without sources creates the object: :meth:`Machine.creer` checks the motif,
lets the caller check its guard, saves the new object in the target state and writes the first log
row (no state before), so an object's whole life is in its log.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction


class TransitionError(Exception):
    """A transition refused by its guard. The message is French and shown as is, next to ``field``."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: object  # a state; None: the state does not change (renewal, change of référent)
    # No source: the transition creates the object in ``target`` (see :meth:`Machine.creer`).
    actors: frozenset
    needs_motif: bool = False

    def target_from(self, source):
        return self.target if self.target is not None else source


def table(*transitions) -> dict[str, Transition]:
    """The declared transitions by name (a name declared twice is a mistake)."""
    by_name = {t.name: t for t in transitions}
    if len(by_name) != len(transitions):
        raise ValueError("Deux transitions portent le même nom.")
    return by_name


@dataclass(frozen=True)
class Machine:
    """How one model's transitions are applied and logged.

    ``log(obj, transition, source, by, motif)`` writes the log row; ``stale_message`` and
    ``impossible_message`` (formatted with ``label`` and ``etat``) are the French refusals.
    """

    transitions: dict[str, Transition]
    log: Callable
    stale_message: str
    impossible_message: str
    state_field: str = "etat"
    version_field: str | None = "modifie_le"
    error: type[TransitionError] = TransitionError
    motif_message: str = "Indiquez un motif."

    def creations(self) -> list[Transition]:
        return [t for t in self.transitions.values() if not t.sources]

    def transitions_from(self, state) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def actors(self, name) -> frozenset:
        return self.transitions[name].actors

    def _compared(self):
        return (self.state_field, self.version_field) if self.version_field else (self.state_field,)

    def _motif(self, transition, motif):
        motif = (motif or "").strip()
        if transition.needs_motif and not motif:
            raise self.error(self.motif_message, field="motif")
        return motif

    @contextmanager
    def creer(self, obj, name, by, motif=""):
        """Let the caller check and fill the new (unsaved) ``obj``, then save it in the target state and log."""
        transition = self.transitions[name]
        if transition.sources or transition.target is None:
            raise ValueError(f"« {name} » ne crée pas d'objet : appliquez-la avec appliquer().")
        if obj.pk is not None:
            raise ValueError("creer() reçoit un objet qui n'est pas encore enregistré.")
        with transaction.atomic():
            motif = self._motif(transition, motif)
            yield transition
            setattr(obj, self.state_field, transition.target)
            obj._history_user = by
            obj.save()
            self.log(obj, transition, None, by, motif)

    @contextmanager
    def appliquer(self, obj, name, by, motif=""):
        """Lock, refuse a stale copy or a wrong state, let the caller apply, then save and log."""
        transition = self.transitions[name]
        fields = self._compared()
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().values_list(*fields).get(pk=obj.pk)
            if tuple(locked) != tuple(getattr(obj, f) for f in fields):
                # The version too: a renewal keeps the state, and saving a stale copy would undo it.
                raise self.error(self.stale_message)
            source = getattr(obj, self.state_field)
            if source not in transition.sources:  # a creation has none: it is never applied to a row
                etat = getattr(obj, f"get_{self.state_field}_display")()
                raise self.error(self.impossible_message.format(label=transition.label, etat=etat))
            motif = self._motif(transition, motif)
            yield transition
            setattr(obj, self.state_field, transition.target_from(source))
            obj._history_user = by  # simple-history's way to record who
            obj.save()
            self.log(obj, transition, source, by, motif)
