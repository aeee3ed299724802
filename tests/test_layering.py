"""Imports run one way: each app may import the apps below it, never one above. Orders know
nothing of disputes, the domain never calls the API (the API listens to its events), and
nothing imports the demo. Read from the source with ``ast``, so an import inside a function
counts too; migrations name other apps by label only and are left out."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# From the bottom up.
LAYERS = ("accounts", "orders", "disputes", "api", "demo")


def imports_of(source: str) -> list[tuple[int, str]]:
    """Each absolute import of one of the LAYERS in ``source``: (line, app imported)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [(node.lineno, module.split(".")[0]) for module in modules]
    return [(line, app) for line, app in found if app in LAYERS]


def upward_imports(app: str) -> list[str]:
    """Where ``app`` imports an app above it: "path:line imports app"."""
    above = LAYERS[LAYERS.index(app) + 1 :]
    root = Path(settings.BASE_DIR)
    return [
        f"{path.relative_to(root)}:{line} imports {imported}"
        for path in sorted((root / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line, imported in imports_of(path.read_text())
        if imported in above
    ]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_no_app_above_it(app):
    assert upward_imports(app) == []


def test_every_kind_of_import_is_seen_even_one_inside_a_function():
    source = (
        "import orders.models\n"
        "from disputes import actions\n"
        "from . import tasks\n"
        "def send():\n"
        "    from api.webhooks import queue\n"
    )
    assert imports_of(source) == [(1, "orders"), (2, "disputes"), (5, "api")]
