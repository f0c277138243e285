"""Process warm-up: load and exercise once what the pages use, then take the survivors out of
the garbage collector's full passes.

Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``),
and every tick of a live-training fragment is a script run. A full pass visits every object
the collector tracks; with torch, gymnasium and plotly loaded that is about 370,000 objects
and 165 ms on the 2-core machines here, all of it holding the GIL, so every session of the
process waits. Nearly all of those objects are modules, classes and functions that live as
long as the process. Once they exist, ``gc.freeze()`` moves them to a permanent generation
that later passes skip (a pass then takes well under a millisecond). Objects created later,
every session's included, are collected as before; frozen objects are still freed by reference
counting, only cycles among them are never collected.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class WarmUp:
    """What a warm-up did."""

    seconds: float
    """Wall time of the whole warm-up, freezing included."""
    frozen: int
    """Objects in the permanent generation afterwards."""


def exercise() -> None:
    """Run each kind of work once, so the lazily imported parts of torch, gymnasium, plotly
    and pandas exist before freezing: a short REINFORCE run, an episode played, and figures
    of every trace type the charts use, serialised the way Streamlit does."""
    import pandas  # noqa: F401  (Streamlit's tables and data editors)
    import plotly.graph_objects as go
    import plotly.io as pio
    from plotly.subplots import make_subplots

    import core.charts.theme  # noqa: F401  (its template loads every plotly trace type)
    from core.charts.export import figure_to_csv
    from core.reinforce.config import PRESETS
    from core.reinforce.rollout import play_episode
    from core.reinforce.trainer import Trainer

    trainer = Trainer(replace(PRESETS["default"], max_episodes=32))
    trainer.step(max_vector_steps=400)
    play_episode(trainer.policy, 0)
    trainer.close()

    figure = make_subplots(rows=1, cols=2)
    figure.add_trace(go.Scatter(x=[0, 1], y=[1, 0], name="line"), row=1, col=1)
    figure.add_trace(go.Bar(x=[0, 1], y=[1, 2], name="bars"), row=1, col=2)
    figure.add_trace(go.Scatterternary(a=[1], b=[0], c=[0], name="simplex"))
    figure.frames = [go.Frame(data=[go.Scatter(x=[0], y=[0])])]
    figure.update_layout(updatemenus=[{"type": "buttons", "buttons": []}])
    pio.to_json(figure, validate=False)
    figure_to_csv(figure)


def warm_up() -> WarmUp:
    """Exercise the libraries once, collect, then freeze everything still alive (whatever
    the caller imported before, e.g. Streamlit and the app's modules, included). Objects of
    sessions open at that moment are frozen too: a cycle among them is never collected, a
    one-off bounded by what those first sessions hold."""
    start = time.perf_counter()
    exercise()
    gc.collect()
    gc.freeze()
    return WarmUp(time.perf_counter() - start, gc.get_freeze_count())
