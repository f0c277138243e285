"""Every registered page starts with ui.entry.run_through_app (a shared link opened first on a
fresh plain `streamlit run` server must go through app.py; see ui/entry.py)."""

import ast
from pathlib import Path

import pytest

from ui.registry import HOME, PAGES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda e: e.path)
def test_page_calls_run_through_app_before_anything_else(entry):
    tree = ast.parse((ROOT / entry.path).read_text())
    statements = [node for node in tree.body
                  if not isinstance(node, ast.Import | ast.ImportFrom)
                  and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    first = statements[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
    call = first.value
    assert isinstance(call.func, ast.Name) and call.func.id == "run_through_app"
    assert isinstance(call.args[0], ast.Name) and call.args[0].id == "__file__"


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.path)
def test_url_path_is_the_file_name(entry):
    """Until app.py has run once in a fresh plain server, Streamlit's legacy pages/ mode
    addresses pages by file name: a shared link whose URL path differs from its file's name
    is "not found" there (a modal dialog over the page on the very first visit)."""
    assert Path(entry.path).stem == entry.url_path
