"""ui.warmup: after the warm-up, a full garbage collection has almost nothing left to visit,
even after every app module is imported, a training run and a chart (in a fresh interpreter,
so this test process is not frozen)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import gc, importlib, json, pkgutil
from dataclasses import replace
import streamlit
from ui.warmup import warm_up
done = warm_up()
after_warm_up = len(gc.get_objects())
for package in ("core", "ui"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        importlib.import_module(module.name)
import plotly.io as pio
from core.charts.cartpole import returns_figure
from core.reinforce.config import PRESETS
from core.reinforce.trainer import Trainer
trainer = Trainer(replace(PRESETS["default"], max_episodes=64))
trainer.step(max_seconds=0.3)
pio.to_json(returns_figure(trainer.returns), validate=False)
gc.collect()
print(json.dumps({"frozen": done.frozen, "after_warm_up": after_warm_up,
                  "after_work": len(gc.get_objects()), "episodes": len(trainer.returns)}))
"""


def test_warm_up_leaves_full_collections_almost_nothing_to_visit():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # torch, gymnasium, plotly and streamlit: hundreds of thousands of long-lived objects.
    assert result["frozen"] > 100_000, result
    assert result["after_warm_up"] < 1_000, result
    # The app's own modules, a training run and a chart add little: without exercise() this
    # is above 100,000 (the lazily loaded parts of torch, plotly and pandas).
    assert result["episodes"] > 0
    assert result["after_work"] < 20_000, result


CHARTS = ROOT / "core" / "charts"


def _plotly_trace_types() -> dict[str, str]:
    """Every plotly trace class name (``Scatter``) mapped to its ``type`` (``scatter``)."""
    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

    classes = {name: getattr(go, name) for name in dir(go) if name[:1].isupper()}
    return {name: cls().type for name, cls in classes.items()
            if isinstance(cls, type) and issubclass(cls, BaseTraceType)}


def trace_types_used(source: str, known: dict[str, str]) -> set[str]:
    """Trace types a module's source builds: ``go.Bar(...)``, ``fig.add_bar(...)`` and trace
    dicts ``{"type": "scatter", ...}``."""
    import ast

    types = set(known.values())
    used = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr in known:
                used.add(known[node.attr])
            elif node.attr.startswith("add_") and node.attr[4:] in types:
                used.add(node.attr[4:])
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == "type"
                        and isinstance(value, ast.Constant) and value.value in types):
                    used.add(value.value)
    return used


def test_trace_scan_finds_every_way_a_trace_is_written():
    known = _plotly_trace_types()
    source = ("fig.add_trace(go.Heatmap(z=[[1]]))\nfig.add_violin(y=[1])\n"
              "data = [{'type': 'histogram', 'x': [1]}]\nshape = {'type': 'line'}\n")
    assert trace_types_used(source, known) == {"heatmap", "violin", "histogram"}


def test_warm_up_draws_every_trace_type_the_charts_use():
    from ui.warmup import SAMPLE_TRACES, sample_figure

    known = _plotly_trace_types()
    used: dict[str, set[str]] = {}
    for path in sorted(CHARTS.glob("*.py")):
        for kind in trace_types_used(path.read_text(), known):
            used.setdefault(kind, set()).add(path.name)
    assert {"scatter", "bar", "scatterternary"} <= set(used)  # the scan sees today's charts
    missing = {kind: sorted(files) for kind, files in used.items() if kind not in SAMPLE_TRACES}
    assert not missing, f"add these trace types to ui/warmup.SAMPLE_TRACES: {missing}"
    assert {trace.type for trace in sample_figure().data} == set(SAMPLE_TRACES)


def test_template_keeps_defaults_for_every_trace_type_the_charts_use():
    """The app's template carries plotly_white's trace defaults for core.charts.theme's
    TRACE_TYPES only (it is deep-copied into every figure): a chart of another type would be
    drawn without them."""
    import plotly.io as pio

    from core.charts.theme import TEMPLATE_NAME, TRACE_TYPES

    known = _plotly_trace_types()
    used = set().union(*(trace_types_used(path.read_text(), known)
                         for path in sorted(CHARTS.glob("*.py"))))
    assert used <= set(TRACE_TYPES), f"add to theme.TRACE_TYPES: {used - set(TRACE_TYPES)}"
    from ui.warmup import SAMPLE_TRACES

    assert set(SAMPLE_TRACES) == set(TRACE_TYPES)  # the warm-up draws each of them
    template = pio.templates[TEMPLATE_NAME].to_plotly_json()
    assert set(template["data"]) == set(TRACE_TYPES)
    white = pio.templates["plotly_white"].to_plotly_json()
    for kind in TRACE_TYPES:
        assert template["data"][kind] == white["data"][kind]

