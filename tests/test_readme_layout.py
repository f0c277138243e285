"""README's layout map matches the tree: every path it names exists, and every module of
core/ and ui/ (and every top-level folder) is named, directly, by its folder or by a
pattern."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layout_paths() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    first_cells = [row.split("|")[1] for row in rows]
    return [p for cell in first_cells for p in re.findall(r"`([^`]+)`", cell)]


def named(path: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatch(path, pattern):
            return True
    return False


def ignored() -> set[str]:
    """Top-level folders .gitignore keeps out of the repository: what the app and the tests
    write as they run (training runs, the class rooms' database, the virtual environment)."""
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return {line.strip().strip("/") for line in lines
            if line.strip().endswith("/") and line.strip().count("/") == 1}


def test_every_path_in_the_layout_map_exists():
    paths = layout_paths()
    assert len(paths) > 20
    missing = [p for p in paths if not (list(ROOT.glob(p.rstrip("/"))) if "*" in p
                                        else (ROOT / p.rstrip("/")).exists())]
    assert not missing, missing


def test_every_module_and_folder_is_in_the_layout_map():
    paths = layout_paths()
    wanted = [p.relative_to(ROOT).as_posix() for folder in ("core", "ui")
              for p in (ROOT / folder).glob("*.py") if p.name != "__init__.py"]
    folders = [p.name for p in ROOT.iterdir()
               if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in ignored()]
    unnamed = sorted(p for p in wanted if not named(p, paths))
    unnamed += sorted(f for f in folders if not any(p.startswith(f + "/") for p in paths))
    assert not unnamed, f"add these to README's layout map: {unnamed}"
