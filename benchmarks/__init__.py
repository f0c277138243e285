"""Speed and capacity checks: each module prints its figures and their ratio to target.
Run one as ``python -m benchmarks.NAME`` from the repository root (``make bench`` runs all)."""
