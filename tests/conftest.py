"""Shared test settings. pytest finds `core`, `ui`, `pages` and `tests` through `pythonpath` in
pyproject.toml; the tests run from the repository root, where AppTest finds app.py and pages/."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)

# Same threading as the app: tests measure what users get.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Training sessions: the tests use the production cap (core.limits, 100 per server) unless
# they set their own (the queue is tested with an explicit cap).


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ drives a real browser: marked so, whatever its file
    says, so `make test-fast` (-m "not browser") leaves all of it out."""
    browser_dir = ROOT / "tests" / "browser"
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker("browser")
