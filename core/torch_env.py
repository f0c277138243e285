"""The one place torch is imported, so that the thread count is set before any torch work.

Many users share one server process: intra-op parallelism would make every session fight for
the same two cores, so the process runs torch on one thread. Modules that need torch import it
from here (``from core.torch_env import torch``).
"""

import contextlib
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import torch

torch.set_num_threads(1)
# Raises if inter-op work already ran in this process (e.g. a test that imported torch
# directly); the intra-op setting above is the one that matters.
with contextlib.suppress(RuntimeError):
    torch.set_num_interop_threads(1)

__all__ = ["torch"]
