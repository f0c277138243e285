"""The source text of a function, read from its module's file without importing the module.

A page can then show code that needs torch without loading torch itself: the home page shows
``core.reinforce.home_loop.reinforce_episode`` and stays free of torch (app.py's background
warm-up loads it, so the first page never waits on it). The text is what ``inspect.getsource``
gives once the module is imported (``tests/test_home_loop.py`` checks it).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path


@functools.cache
def function_source(module: str, name: str) -> str:
    """The source of the top-level function ``name`` of ``module`` (a dotted module name),
    decorators included; ValueError if the module has no such function."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"no source file for module {module!r}")
    text = Path(spec.origin).read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = text.splitlines(keepends=True)
            return "".join(lines[first - 1:node.end_lineno])
    raise ValueError(f"{module} has no top-level function {name!r}")
