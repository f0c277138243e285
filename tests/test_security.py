"""Static security checks over the code a web request can reach (see docs/security.md).

The app's reachable code is found by following imports from app.py and every registered
page, so a new module is covered as soon as something the app runs imports it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from ui.registry import HOME, PAGES

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PACKAGES = ("core", "ui", "pages")
DYNAMIC_CODE = {"eval", "exec", "compile", "__import__", "breakpoint"}
UNSAFE_MODULE_CALLS = {("os", "system"), ("os", "popen"), ("pickle", "load"),
                       ("pickle", "loads"), ("marshal", "loads"), ("shelve", "open"),
                       ("torch", "load"), ("torch", "save"), ("np", "load"), ("np", "save"),
                       ("numpy", "load"), ("numpy", "save")}
UNSAFE_MODULES = {"subprocess", "pickle", "shelve", "marshal", "socket", "shutil", "tempfile"}
REVIEWED_IMPORTS = {("core/pool/pool.py", "subprocess")}
"""Reviewed uses of an unsafe module (docs/security.md point 2): the training pool starts its
worker processes as ``[sys.executable, "-m", "core.pool.worker", FD]``, no shell, no user text
(checked by test_worker_processes_start_with_a_fixed_command)."""
FILE_CALLS = {"open"}
FILE_METHODS = {"write_text", "write_bytes", "read_text", "read_bytes", "to_csv", "to_pickle",
                "read_csv", "read_pickle", "to_parquet", "read_parquet", "savefig",
                "write_image", "write_html", "unlink", "mkdir", "rmdir"}
UPLOAD_WIDGETS = {"file_uploader", "camera_input", "audio_input", "chat_input"}
REVIEWED_FILE_READS = {("core/source.py", "read_text")}
"""Reviewed file reads (docs/security.md point 4): core.source reads the app's own module file
to show a function's source (the home page's REINFORCE loop); the module and function names are
literals in the code (checked by test_shown_source_names_are_literals), never user text."""


def _module_path(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] not in LOCAL_PACKAGES:
        return None
    candidate = ROOT.joinpath(*parts)
    if candidate.with_suffix(".py").exists():
        return candidate.with_suffix(".py")
    if (candidate / "__init__.py").exists():
        return candidate / "__init__.py"
    return None


def reachable_files() -> list[Path]:
    """app.py, every page, and every local module they import, transitively."""
    todo = [ROOT / "app.py", ROOT / HOME.path, *(ROOT / p.path for p in PAGES)]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                for i in range(1, len(name.split(".")) + 1):
                    module = _module_path(".".join(name.split(".")[:i]))
                    if module is not None:
                        todo.append(module)
    return sorted(seen)


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            yield node


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_reachable_code_is_found():
    files = {p.relative_to(ROOT).as_posix() for p in reachable_files()}
    assert {"app.py", "ui/common.py", "ui/share.py", "core/charts/export.py"} <= files
    assert all(p.path in files for p in PAGES)
    # The training CLI writes files when asked on the command line; the app never imports it.
    assert "core/reinforce/train.py" not in files


def test_no_eval_exec_or_unsafe_modules():
    found = []
    for path in reachable_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                found += [f"{_where(path, node)} import {m}" for m in modules
                          if m.split(".")[0] in UNSAFE_MODULES
                          and (path.relative_to(ROOT).as_posix(), m) not in REVIEWED_IMPORTS]
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in DYNAMIC_CODE:
                    found.append(f"{_where(path, node)} {func.id}()")
                if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                        and (func.value.id, func.attr) in UNSAFE_MODULE_CALLS):
                    found.append(f"{_where(path, node)} {func.value.id}.{func.attr}()")
        if "importlib" in path.read_text():
            for node in _calls(path):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "import_module":
                    assert all(isinstance(a, ast.Constant) for a in node.args), \
                        f"{_where(path, node)} imports a computed module name"
    assert not found, found


def test_worker_processes_start_with_a_fixed_command():
    """The one Popen in reachable code: a literal module name, the interpreter, a file
    descriptor number and the workers' niceness (an int from the limits); never a shell."""
    popens = []
    for path in reachable_files():
        for node in _calls(path):
            func = node.func
            if (isinstance(func, ast.Attribute)
                    and func.attr in {"Popen", "run", "call", "check_call", "check_output"}
                    and isinstance(func.value, ast.Name) and func.value.id == "subprocess"):
                popens.append((path, node))
    assert [p.relative_to(ROOT).as_posix() for p, _ in popens] == ["core/pool/pool.py"]
    _, call = popens[0]
    assert not any(k.arg == "shell" for k in call.keywords)
    argv = call.args[0]
    assert isinstance(argv, ast.List)
    assert ast.unparse(argv) == \
        "[sys.executable, '-m', 'core.pool.worker', str(child.fileno()), " \
        "str(self.limits.worker_nice)]"


def test_no_file_io_on_a_users_behalf():
    found = []
    for path in reachable_files():
        for node in _calls(path):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FILE_CALLS:
                found.append(f"{_where(path, node)} {func.id}()")
            reviewed = (path.relative_to(ROOT).as_posix(), getattr(func, "attr", "")
                        ) in REVIEWED_FILE_READS
            if isinstance(func, ast.Attribute) and func.attr in FILE_METHODS and not reviewed:
                found.append(f"{_where(path, node)} .{func.attr}()")
    assert not found, found


def test_shown_source_names_are_literals():
    """Every call of core.source.function_source in reachable code names its module and
    function by literals: the one file the app reads is its own code, never one a user
    names."""
    calls = [(path, node) for path in reachable_files() for node in _calls(path)
             if getattr(node.func, "id", getattr(node.func, "attr", "")) == "function_source"]
    assert calls, "the home page shows its loop through function_source"
    for path, node in calls:
        assert node.args and all(isinstance(a, ast.Constant) for a in node.args), \
            f"{_where(path, node)} reads a computed name"


def test_no_upload_widgets_and_uploads_capped():
    found = [f"{_where(path, node)}" for path in reachable_files() for node in _calls(path)
             if isinstance(node.func, ast.Attribute) and node.func.attr in UPLOAD_WIDGETS]
    assert not found, found
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] <= 1


def test_server_config_for_a_class():
    """No file watching and no full garbage collection after every script run: both cost
    CPU on every run of every session (docs/deploy.md)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False


def _constant_string(node: ast.AST, constants: dict[str, ast.AST]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        # An f-string whose every field is a module constant bound to a number literal.
        return all(isinstance(part, ast.Constant) or (
            isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
            and isinstance(constants.get(part.value.id), ast.Constant)
            and isinstance(getattr(constants.get(part.value.id), "value", None), int | float))
            for part in node.values)
    return isinstance(node, ast.Name) and node.id in constants and _constant_string(
        constants[node.id], {k: v for k, v in constants.items() if k != node.id})


def test_raw_html_only_from_constant_strings():
    """Every call that renders raw HTML gets a string literal (or a module constant bound to
    one): no user, URL or computed text can reach it."""
    found = []
    for path in reachable_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                     for t in node.targets if isinstance(t, ast.Name)}
        for node in _calls(path):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            keywords = {k.arg: k.value for k in node.keywords}
            raw_html = name == "html" or (
                "unsafe_allow_html" in keywords
                and not (isinstance(keywords["unsafe_allow_html"], ast.Constant)
                         and keywords["unsafe_allow_html"].value is False))
            js = keywords.get("unsafe_allow_javascript")
            if js is not None and not (isinstance(js, ast.Constant) and js.value is False):
                found.append(f"{_where(path, node)} unsafe_allow_javascript")
            if raw_html and not (node.args and _constant_string(node.args[0], constants)):
                found.append(f"{_where(path, node)} {name}(...) with non-constant HTML")
    assert not found, found


def test_public_demo_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["runner"]["magicEnabled"] is False
    assert config["server"].get("runOnSave", False) is False
