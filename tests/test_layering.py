"""The layering the README promises, checked on the source by import-linter's contracts
(``[tool.importlinter]`` in pyproject.toml): dependencies point down only (pages → ui →
core/charts → core maths), ``core/`` never imports Streamlit, the app imports none of the tools
around it, the tools depend one way (tests → benchmarks → harness → deploy), and no module
imports itself back through a circle. Imports inside functions count: a circle broken at run
time by a local import is still a circle. One rule is finer than import-linter draws on an
outside package, so it is read here from the source: the app imports nothing of Streamlit's
internals."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract["name"] for contract in CONFIG["contracts"]}


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` run on the tree at ``root`` (only ``contracts``, if given)."""
    flags = [flag for contract in contracts for flag in ("--contract", contract)]
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", *flags], cwd=root,
                          capture_output=True, text=True, timeout=120)


def test_every_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout, result.stdout


BREAKS = {
    "app-layers": ("core/confidence.py", "def _late():\n    import ui.registry\n"),
    "charts-above-maths": ("core/confidence.py", "from core.charts import theme\n"),
    "top": ("ui/registry.py", "import app\n"),
    "pure-core": ("core/thinning.py", "def _late():\n    import streamlit\n"),
    "app-without-tools": ("ui/registry.py", "from harness import server\n"),
    "tools-one-way": ("benchmarks/timing.py", "from tests import test_layering\n"),
    "no-circles": ("core/distributions.py", "def _late():\n    import core.sample_average\n"),
}
"""Per contract, an import that breaks it: (module, lines appended to it)."""


@pytest.fixture(scope="module")
def scratch_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packages' sources and the contracts, for imports that break them."""
    tree = tmp_path_factory.mktemp("layering")
    for package in CONFIG["root_packages"]:
        shutil.copytree(ROOT / package, tree / package, ignore=_not_source)
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def _not_source(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in ("__pycache__", "artifacts")
            or not (name.endswith(".py") or (Path(folder) / name).is_dir())]


def test_every_contract_has_an_import_that_breaks_it():
    assert set(BREAKS) == set(CONTRACTS)


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_the_contract_breaks_on_a_bad_import(scratch_tree: Path, contract: str):
    module, lines = BREAKS[contract]
    path = scratch_tree / module
    source = path.read_text()
    assert lint_imports(scratch_tree, contract).returncode == 0
    path.write_text(source + "\n\n" + lines)
    try:
        result = lint_imports(scratch_tree, contract)
    finally:
        path.write_text(source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout, result.stdout


PUBLIC_STREAMLIT = frozenset({"streamlit", "streamlit.delta_generator",
                              "streamlit.delta_generator.DeltaGenerator"})
"""What the app may import of Streamlit: ``streamlit`` itself, and the type its layout calls
return (``DeltaGenerator``, for annotations). Its runtime, protobuf and element modules are
internals that change between releases: if Streamlit cannot do something publicly, the design
changes instead."""


def app_files() -> list[Path]:
    """The app's Streamlit side: app.py, pages/ and ui/ (core/ imports no Streamlit at all)."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")),
            *sorted((ROOT / "ui").rglob("*.py"))]


def streamlit_imports(path: Path) -> set[str]:
    """Every Streamlit module (or name in one) ``path`` imports, anywhere in its body:
    ``from a import b`` yields ``a`` and ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] == "streamlit"}


def test_the_import_reader_sees_internals(tmp_path: Path):
    path = tmp_path / "page.py"
    path.write_text("import streamlit as st\n"
                    "def late():\n    from streamlit.runtime import get_instance\n")
    assert streamlit_imports(path) - PUBLIC_STREAMLIT == {
        "streamlit.runtime", "streamlit.runtime.get_instance"}


def test_the_app_uses_no_streamlit_internals():
    files = app_files()
    assert ROOT / "ui" / "common.py" in files and len(files) > 20
    bad = {str(path.relative_to(ROOT)): sorted(streamlit_imports(path) - PUBLIC_STREAMLIT)
           for path in files}
    assert not {path: names for path, names in bad.items() if names}
