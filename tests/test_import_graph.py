"""No import circles among the project's modules: the import graph is read from the source (ast over every project
.py file, imports inside functions included, since hiding an import in a function does not remove the circle)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import config

ROOT = config.PROJ_ROOT
SKIPPED_DIRS = {".venv", ".git", "data", "artifacts", "reports", "node_modules", "build", "dist"}
# Circles known on another branch's ground, each named: remove the entry when that branch lands (strict xfail says so).
KNOWN: dict[str, str] = {}


def project_files() -> dict[str, Path]:
    """Module name -> file, for every .py file of the project (packages by their __init__.py)."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if set(parts[:-1]) & SKIPPED_DIRS or any(p.startswith(".") for p in parts):
            continue
        names = list(parts[:-1]) + ([] if path.name == "__init__.py" else [path.stem])
        if names:
            modules[".".join(names)] = path
    return modules


def imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `module` imports anywhere in its file (module level or inside functions)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(package + ([base] if base else []))
            # `from a import b`: the module a.b when there is one, else the names come from a itself
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        out |= {name for name in names if name in known and name != module}
    return out


def import_graph() -> dict[str, set[str]]:
    files = project_files()
    return {module: imported(module, path, set(files)) for module, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    source = tmp_path / "b.py"
    source.write_text("from . import c\nfrom .d import x\n\ndef f():\n    import a.e\n    from a import g\n")
    known = {"a", "a.b", "a.c", "a.d", "a.e", "a.g"}
    assert imported("a.b", source, known) == {"a.c", "a.d", "a.e", "a.g"}
    assert "etl.spark_session" in import_graph()["etl.__main__"]  # imported inside a function
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


GRAPH = import_graph()
PACKAGES = sorted({module.split(".")[0] for module in GRAPH})


@pytest.mark.parametrize("package", [
    pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p], strict=True)) if p in KNOWN else p for p in PACKAGES])
def test_no_import_circle(package):
    """A circle is reported under the package of its first module (sorted), with its members."""
    mine = [c for c in circles(GRAPH) if c[0].split(".")[0] == package]
    assert not mine, f"import circles: {mine}"
