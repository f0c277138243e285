"""The app driven from outside, for the tests, the benchmarks and the docs' screenshots: AppTest
runs of page scripts (``apptest.py``), the app served on a loopback port and its pages in
Chromium tabs (``server.py``), the live-training page read in a browser (``training.py``).
Nothing here imports ``tests`` or ``benchmarks`` (import-linter's contracts in pyproject.toml)."""
