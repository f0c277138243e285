"""Shared test settings. pytest finds `core`, `ui`, `pages` and `tests` through `pythonpath` in
pyproject.toml; the tests run from the repository root, where AppTest finds app.py and pages/."""

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)

# Same threading as the app: tests measure what users get.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Training sessions: the tests use the production cap (core.limits, 100 per server) unless
# they set their own (the queue is tested with an explicit cap).
# Class rooms of AppTests and test servers go to a throw-away SQLite, not the repository's data/.
os.environ.setdefault("PGS_DATA_DIR", tempfile.mkdtemp(prefix="pgs-test-data-"))


SERIAL_BROWSER_FILES = frozenset({"test_deep_link.py"})
"""Browser tests that compare a fresh server's very first page with the same page later: they
run alone (`make test` runs every other file two at a time, beside the type check). Every other
browser file, tests/browser/test_training_pool.py's worker CPU and tests/browser/test_faults.py's
thread counts included, reads its own server only, after waits long enough for a busy machine,
so it runs beside the rest."""


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ drives a real browser: marked so, whatever its file
    says, so `make test-fast` (-m "not browser") leaves all of it out; the files that must run
    alone are marked serial too."""
    browser_dir = ROOT / "tests" / "browser"
    for item in items:
        path = Path(item.fspath)
        if browser_dir in path.parents:
            item.add_marker("browser")
            if path.name in SERIAL_BROWSER_FILES:
                item.add_marker("serial")
