"""Apps depend one way (STYLE.md §1): each imports only the apps before it, and `crm`, the
base, imports none. A new import against the grain fails here, not in a review."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# crm is the base; then accounts ← customers ← products ← interactions ← feedback ← insights
# ← dashboards, each allowed to import only those before it.
ORDER = [
    "crm",
    "accounts",
    "customers",
    "products",
    "interactions",
    "feedback",
    "insights",
    "dashboards",
]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ORDER)


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("app", [a for a in ORDER if (ROOT / a).is_dir()])
def test_app_imports_only_apps_below_it(app):
    allowed = set(ORDER[: ORDER.index(app) + 1])
    wrong = {}
    for path in _modules(app):
        relative = str(path.relative_to(ROOT))
        against = _imported_apps(path) - allowed
        if against:
            wrong[relative] = sorted(against)
    assert wrong == {}, f"imports against the dependency order: {wrong}"
