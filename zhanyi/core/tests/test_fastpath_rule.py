"""The rule that keeps speed tricks in the open: only a fast path
(``zhanyi/*/fastpath/``), the database layer (``zhanyi.core.db``, whose COPY is
psycopg's) and the benches (which create and clone databases) import psycopg
or Django's internals; every other module uses the ORM and the ordinary stack.
"""

from __future__ import annotations

import ast
from pathlib import Path

import zhanyi

ROOT = Path(zhanyi.__file__).parent

#: Modules below these import what they like.
ALLOWED = ("core/db/", "bench/")

#: psycopg, and the parts of Django that are not its public API.
INTERNALS = (
    "psycopg",
    "django.core.handlers",
    "django.db.backends.utils",
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
    "django.db.models.sql",
)


def _is_internal(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in INTERNALS)


def _imports_internals(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(_is_internal(name) for name in names):
            found.append(node.lineno)
    return sorted(found)


def _offenders(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if "/fastpath/" in f"/{name}" or "/tests/" in f"/{name}" or name.startswith(ALLOWED):
            continue
        for line in _imports_internals(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{name}:{line}")
    return found


def test_only_fast_paths_import_psycopg_or_djangos_internals():
    offenders = _offenders(ROOT)
    assert not offenders, (
        "These import psycopg or Django's internals; use the ORM, or move the trick "
        f"into the app's fastpath package with a parity test: {', '.join(offenders)}"
    )


def test_the_rule_sees_such_an_import(tmp_path):
    app = tmp_path / "someapp"
    (app / "fastpath").mkdir(parents=True)
    (app / "actions.py").write_text("import psycopg\nfrom django.db import connection\n")
    (app / "views.py").write_text(
        "def f():\n    from django.db.backends.utils import CursorWrapper\n"
    )
    (app / "fastpath" / "lane.py").write_text("from django.core.handlers.wsgi import WSGIRequest\n")
    assert _offenders(tmp_path) == ["someapp/actions.py:1", "someapp/views.py:2"]
