"""The layering the README promises, checked on the source: dependencies point down only
(pages → ui → core/charts → core maths), ``core/`` never imports Streamlit, the app imports
nothing of Streamlit's internals, and no module imports itself back through a circle. Imports
inside functions count: a circle broken at run time by a local import is still a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ui", "pages")
ENTRY_POINTS = ("app.py",)

KNOWN_CIRCLES: set[frozenset[str]] = set()
"""Import circles tolerated for now: none (ui/common ↔ ui/presenter was the last)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> dict[str, Path]:
    files = {module_name(ROOT / name): ROOT / name for name in ENTRY_POINTS}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            files[module_name(path)] = path
    return files


def imported_names(path: Path, module: str) -> set[str]:
    """Every module ``path`` names in an import statement anywhere in its body, relative
    imports resolved; ``from a import b`` yields ``a.b`` (b may be a submodule) and ``a``."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Project module → the project modules it imports (packages' ``__init__`` excluded as
    targets: importing ``core.x`` runs ``core/__init__.py``, which imports nothing)."""
    files = project_files()
    graph = {}
    for module, path in files.items():
        targets = {name for name in imported_names(path, module) if name in files}
        graph[module] = {t for t in targets if t != module and files[t].name != "__init__.py"}
    return graph


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer(module: str) -> int:
    if module.startswith("core.charts"):
        return 1
    if module.startswith("core"):
        return 0
    if module.startswith("ui"):
        return 2
    return 3  # pages, app


def offenders(graph: dict[str, set[str]], rule) -> list[str]:
    return sorted(f"{source} -> {target}" for source, targets in graph.items()
                  for target in targets if rule(source, target))


def _all_imports(modules: Iterable[str]) -> dict[str, set[str]]:
    files = project_files()
    return {m: imported_names(files[m], m) for m in modules}


def test_graph_sees_the_imports():
    graph = import_graph()
    assert "core.distributions" in graph["core.sample_average"]
    assert "core.charts.theme" in graph["core.charts.expectation"]
    assert "ui.registry" in graph["app"]


def test_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [frozenset({"a", "b", "c"})]


def test_core_never_imports_streamlit():
    core = [m for m in project_files() if m.startswith("core")]
    bad = {m: sorted(n for n in names if n.split(".")[0] == "streamlit")
           for m, names in _all_imports(core).items()}
    assert not {m: n for m, n in bad.items() if n}


def test_maths_modules_never_import_the_charts():
    graph = import_graph()
    bad = offenders(graph, lambda source, target: _layer(source) == 0
                    and target.startswith("core.charts"))
    assert not bad, bad


def test_dependencies_point_down_only():
    graph = import_graph()
    bad = offenders(graph, lambda source, target: _layer(target) > _layer(source))
    assert not bad, bad


def test_no_import_circles():
    found = [c for c in circles(import_graph()) if c not in KNOWN_CIRCLES]
    assert not found, [sorted(c) for c in found]


PUBLIC_STREAMLIT = frozenset({"streamlit", "streamlit.delta_generator",
                              "streamlit.delta_generator.DeltaGenerator"})
"""What the app may import of Streamlit: ``streamlit`` itself, and the type its layout calls
return (``DeltaGenerator``, for annotations). Its runtime, protobuf and element modules are
internals that change between releases: if Streamlit cannot do something publicly, the design
changes instead."""


def test_the_app_uses_no_streamlit_internals():
    app = [m for m in project_files() if not m.startswith("core")]
    bad = {m: sorted(n for n in names if n.split(".")[0] == "streamlit"
                     and n not in PUBLIC_STREAMLIT)
           for m, names in _all_imports(app).items()}
    assert not {m: n for m, n in bad.items() if n}
