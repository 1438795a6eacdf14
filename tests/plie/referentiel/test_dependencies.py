"""The référentiel sits below the domain apps: parcours reads it, it never imports parcours.

The public criteria used to live in parcours while the référentiel named them, so each imported
the other (lazily, inside functions, to dodge the cycle). This test reads every module of the
référentiel, migrations included, and fails on any import of parcours, wherever it is written.
"""

import ast
from pathlib import Path

import pytest

import plie.referentiel

REFERENTIEL = Path(plie.referentiel.__file__).parent
FORBIDDEN = "parcours"


def imports_of(source: str) -> list[tuple[int, str]]:
    """Every module imported by the source: top level, in functions, in methods, in branches."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def imports_parcours(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imports_of(source) if name.split(".")[0] == FORBIDDEN]


MODULES = sorted(REFERENTIEL.rglob("*.py"))


def test_every_module_is_read():
    names = {path.relative_to(REFERENTIEL).as_posix() for path in MODULES}
    assert {"models.py", "forms.py", "views.py", "admin.py", "apps.py", "criteres.py"} <= names
    assert any(name.startswith("migrations/") for name in names)
    assert any(name.startswith("management/") for name in names)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(REFERENTIEL).as_posix())
def test_referentiel_never_imports_parcours(path):
    assert imports_parcours(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from parcours.models import CriterePublic",
        "import parcours.workflow",
        "import parcours",
        "def clean(self):\n    from parcours.models import CriterePublic\n",
        "class Form:\n    def __init__(self):\n        if True:\n            import parcours.models as m\n",
        "import importlib\nimportlib.import_module('parcours.models')",
    ],
)
def test_the_check_sees_every_way_of_importing(source):
    assert imports_parcours(source) != []


def test_the_check_leaves_other_modules_alone():
    assert imports_parcours("from plie.referentiel.criteres import CRITERES\nimport parcoursx\n") == []
