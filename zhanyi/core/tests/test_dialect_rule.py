"""The rule that keeps every SQL difference in one place: no module reads
``connection.vendor`` outside the database layer (``zhanyi.core.db``).

Apps ask ``zhanyi.core.db.dialect`` (or call a ``bulk`` operation that
chooses inside) instead. Migrations keep their own ``schema_editor`` checks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import zhanyi

ROOT = Path(zhanyi.__file__).parent

#: The layer itself, and its tests (which compare it with Django's answer).
LAYER = ("core/db/", "core/tests/test_bulk.py")


def _is_vendor_read(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "vendor"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"getattr", "hasattr"}
        and any(isinstance(a, ast.Constant) and a.value == "vendor" for a in node.args)
    )


def _reads_vendor(tree: ast.AST) -> list[int]:
    return sorted(node.lineno for node in ast.walk(tree) if _is_vendor_read(node))


def _offenders(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if "/migrations/" in f"/{name}" or name.startswith(LAYER):
            continue
        for line in _reads_vendor(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{name}:{line}")
    return found


def test_no_module_outside_the_database_layer_reads_the_vendor():
    offenders = _offenders(ROOT)
    assert not offenders, (
        "These read connection.vendor; ask zhanyi.core.db.dialect, or call an operation "
        f"of zhanyi.core.db.bulk that chooses inside: {', '.join(offenders)}"
    )


def test_the_rule_sees_a_vendor_branch(tmp_path):
    app = tmp_path / "someapp"
    (app / "migrations").mkdir(parents=True)
    (app / "actions.py").write_text(
        "from django.db import connection\n\nif connection.vendor == 'sqlite':\n    pass\n"
    )
    (app / "other.py").write_text("x = getattr(connection, 'vendor')\n")
    (app / "migrations" / "0001_initial.py").write_text("v = schema_editor.connection.vendor\n")
    assert _offenders(tmp_path) == ["someapp/actions.py:3", "someapp/other.py:1"]
