"""The Dockerfile's settings and command, run here without Docker (no engine on CI machines):
same command, same environment, same health check, from a copy of exactly what the image
copies, as a process that may not write to its directory."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.serve_class import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in instructions():
        if word == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def exec_form(word: str) -> list[str]:
    (rest,) = [r for w, r in instructions() if w == word]
    if word == "HEALTHCHECK":
        rest = rest[rest.index("CMD") + 3:].strip()
    return json.loads(rest)


def test_image_settings():
    words = [w for w, _ in instructions()]
    (base,) = [r for w, r in instructions() if w == "FROM"]
    assert base.startswith("python:3.11-slim")
    env = image_env()
    assert env["OMP_NUM_THREADS"] == "1"
    assert env["STREAMLIT_SERVER_PORT"] == "8501"
    assert ("EXPOSE", "8501") in instructions()
    (user,) = [r for w, r in instructions() if w == "USER"]
    assert user not in ("root", "0")
    assert words.index("USER") > max(i for i, w in enumerate(words) if w in ("RUN", "COPY"))
    assert "/_stcore/health" in " ".join(exec_form("HEALTHCHECK"))
    # No build step fetches a browser or a model: pip from requirements.txt only.
    for word, rest in instructions():
        if word == "RUN":
            assert not re.search(r"playwright|chromium|wget|curl|huggingface|\.pt\b", rest), rest


def test_copied_paths_exist_and_dockerignore_keeps_context_small():
    for word, rest in instructions():
        if word == "COPY":
            sources = [s for s in shlex.split(rest) if not s.startswith("--")][:-1]
            for source in sources:
                assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "tests", "benchmarks"):
        assert path in ignored


def _copy_image_tree(dest: Path) -> None:
    for word, rest in instructions():
        if word == "COPY":
            sources = [s for s in shlex.split(rest) if not s.startswith("--")]
            *sources, target = sources
            for source in sources:
                src = ROOT / source
                if source == "requirements.txt":
                    continue
                out = dest / (Path(target) / src.name if target.endswith("/") or
                              target == "./" else target)
                if src.is_dir():
                    shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(src, out)


def test_image_command_serves_and_passes_its_health_check(tmp_path):
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    _copy_image_tree(app_dir)
    for directory, _dirs, _files in os.walk(app_dir):  # the image's app files are read-only
        os.chmod(directory, 0o555)
    port = free_port()
    env = {**os.environ, **image_env(), "STREAMLIT_SERVER_PORT": str(port),
           "STREAMLIT_SERVER_ADDRESS": "127.0.0.1", "HOME": str(tmp_path)}
    command = exec_form("CMD")
    assert command[0] == "python"
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, *command[1:]], cwd=app_dir, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        health = exec_form("HEALTHCHECK")
        deadline = time.monotonic() + 60
        ok = False
        while time.monotonic() < deadline and not ok:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            ok = subprocess.run([sys.executable, *health[1:]], env=env,
                                capture_output=True).returncode == 0
            time.sleep(0.5)
        assert ok, "health check never passed"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for directory, _dirs, _files in os.walk(app_dir):
            os.chmod(directory, 0o755)
    assert not list(app_dir.rglob("*.pyc")), "the app wrote bytecode into its directory"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
