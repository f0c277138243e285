"""Shared test settings: run from the repository root so `core`, `ui` and pages import."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Same threading as the app: tests measure what users get.
os.environ.setdefault("OMP_NUM_THREADS", "1")
