"""core.warmup: after the warm-up, a full garbage collection has almost nothing left to visit,
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
from core.warmup import warm_up
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
