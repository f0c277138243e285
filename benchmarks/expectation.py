"""Speed and size figures for the pages "Expectation vs sample average" and "Can the
expectation be split?".

Run: .venv/bin/python -m benchmarks.expectation [--no-browser]

Prints, each with its ratio to the target (below 1 is within it):
- server time of one rerun of the expectation page at N = 1,000,000 and K = 20 (AppTest runs
  the real script in a process warmed up as the server's is, ui/warmup.py; median of
  several reruns), per distribution family, and the core work alone;
- the most points any trace sends, and every chart's JSON payload in KB;
- cold start: `streamlit run app.py` on a free port until the home page has rendered in
  headless Chromium;
- whether the home page script imports torch.
Timings share the machine with whatever else runs, so repeat them before trusting one digit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.timing import like_the_server
from core import distributions as dist
from core import sample_average as sa
from core.charts import expectation as charts

ROOT = Path(__file__).resolve().parent.parent

RERUN_TARGET_S = 0.300
PAYLOAD_TARGET_KB = 300.0
POINTS_TARGET = 2000
COLD_START_TARGET_S = 5.0
FAMILIES = list(dist.FAMILIES)


def _ratio(value: float, target: float) -> str:
    return f"{value / target:.2f}× target"


def rerun_times(repeats: int) -> None:
    from harness.apptest import app_test

    print(f"Expectation page rerun at N = 1,000,000, K = 20 (AppTest, median of {repeats}; CPU "
          "is the process's CPU time, which other load on the machine inflates less than the "
          "wall clock):")
    for family in FAMILIES:
        at = app_test("pages/expectation.py", timeout=120)
        at.session_state["ev_family"] = family
        at.run()
        at.select_slider(key="ev_n").set_value(1_000_000)
        at.slider(key="ev_k").set_value(20)
        at.run()
        assert not at.exception and not at.warning, family
        walls, cpus = [], []
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            at.run()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"  {family:<12} CPU {cpu * 1000:5.0f} ms ({_ratio(cpu, RERUN_TARGET_S)}), "
              f"wall {wall * 1000:5.0f} ms ({_ratio(wall, RERUN_TARGET_S)})")


def core_times_and_payloads() -> None:
    print("Core work alone, CPU time (simulate + build all four figures + to_json), "
          "N = 1e6, K = 20, f = x²:")
    worst_points, worst_kb = 0, 0.0
    for family in FAMILIES:
        spec, fn = dist.DistributionSpec(family=family), dist.FunctionSpec()
        start = time.process_time()
        result = sa.simulate_runs(spec, fn, 1_000_000, 20, np.random.default_rng(0))
        simulated = time.process_time() - start
        if spec.is_discrete:
            x, p = dist.support_of(spec)
            fx, hist_p = dist.function_on_support(fn, spec), p
        else:
            lo, hi = dist.plot_range(spec)
            x = np.linspace(lo, hi, 400)
            p, fx = dist.density(spec, x), dist.apply_function(fn, x)
            hist_p = dist.density(spec, result.outcomes)
        figures = {
            "distribution": charts.distribution_figure(x, p, fx, discrete=spec.is_discrete,
                                                       f_label="x²"),
            "runs": charts.running_average_figure(result, f_label="x²"),
            "histogram": charts.histogram_figure(result, hist_p, discrete=spec.is_discrete),
            "trap": charts.trap_figure(result),
        }
        payloads = {name: len(fig.to_json()) / 1024 for name, fig in figures.items()}
        total = time.process_time() - start
        points = max(_trace_points(fig) for fig in figures.values())
        worst_points, worst_kb = max(worst_points, points), max(worst_kb, max(payloads.values()))
        sizes = ", ".join(f"{name} {kb:.0f} KB" for name, kb in payloads.items())
        print(f"  {family:<12} simulate {simulated * 1000:5.0f} ms, all {total * 1000:5.0f} ms;"
              f" max points/trace {points}; {sizes}")
    print(f"  worst: {worst_points} points per trace ({_ratio(worst_points, POINTS_TARGET)}), "
          f"{worst_kb:.0f} KB per chart ({_ratio(worst_kb, PAYLOAD_TARGET_KB)})")


def _trace_points(fig) -> int:
    return max((len(trace.x) for trace in fig.data if trace.x is not None), default=0)


def split_payloads() -> None:
    from core import covariance as cv
    from core.charts import split as split_charts

    spec = dist.DistributionSpec(family="normal")
    result = cv.split_moments(spec, "tau", "tau2")
    x, y = cv.sample_pairs(spec, "tau", "tau2", 100_000, np.random.default_rng(0))
    scatter = split_charts.scatter_figure(x, y, result, x_label="τ", y_label="τ²")
    panel = cv.score_split(np.zeros(8), np.arange(8.0))
    kbs = {"scatter (100k normal draws)": len(scatter.to_json()) / 1024,
           "identity": len(split_charts.identity_figure(result).to_json()) / 1024,
           "score": len(split_charts.score_figure(panel).to_json()) / 1024}
    print("Split page charts: " + ", ".join(f"{k} {v:.0f} KB" for k, v in kbs.items())
          + f"; max points/trace {_trace_points(scatter)}")


def home_imports_torch() -> None:
    """Import what pages/home.py imports, in a fresh process, and look for torch. (app.py
    loads torch in its background warm-up, so the home page never waits on it.)"""
    code = (
        "import ast, importlib, sys\n"
        "tree = ast.parse(open('pages/home.py').read())\n"
        "names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]"
        " + [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]\n"
        "[importlib.import_module(name) for name in names]\n"
        "print(sorted(names), 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    print(f"Home page imports (and whether torch got imported): {out.stdout.strip()}")


def cold_start() -> None:
    from playwright.sync_api import sync_playwright

    from deploy.serve_class import free_port
    from harness.server import (
        CHROMIUM,
        CHROMIUM_ARGS,
        VIEWPORT,
        open_app_page,
        start_server,
        stop_server,
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            proc = start_server(port, Path(tmp) / "server.log")
            healthy = time.perf_counter() - start
            try:
                open_app_page(tab, f"http://127.0.0.1:{port}/")
                tab.locator("h1").first.wait_for(timeout=30_000)
                rendered = time.perf_counter() - start
                open_app_page(tab, f"http://127.0.0.1:{port}/expectation")
                tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first.wait_for(
                    timeout=30_000)
                expectation = time.perf_counter() - start
            finally:
                stop_server(proc)
        browser.close()
    print(f"Cold start: server healthy after {healthy:.2f} s, home page rendered after "
          f"{rendered:.2f} s ({_ratio(rendered, COLD_START_TARGET_S)}); expectation page "
          f"charts drawn {expectation - rendered:.2f} s later")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the cold-start run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    like_the_server()
    rerun_times(args.repeats)
    core_times_and_payloads()
    split_payloads()
    home_imports_torch()
    if not args.no_browser:
        cold_start()


if __name__ == "__main__":
    main()
