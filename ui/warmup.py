"""Process warm-up, started by ``app.py`` in the background once per server process: load and
exercise once what the pages use, then take the survivors out of the garbage collector's full
passes. Process plumbing for the Streamlit server, not mathematics, so it lives in ``ui/``.

Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``,
which this app's ``.streamlit/config.toml`` turns off, as a host's own config might not), and
every tick of a live-training fragment is a script run. Python's generational collector also
runs full passes now and then. A full pass visits every object
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when used, in the warm-up's own thread, not by app.py's first run
    import plotly.graph_objects as go


@dataclass(frozen=True)
class WarmUp:
    """What a warm-up did."""

    seconds: float
    """Wall time of the whole warm-up, freezing included."""
    frozen: int
    """Objects in the permanent generation afterwards."""


SAMPLE_TRACES: dict[str, dict[str, list[Any]]] = {
    "scatter": {"x": [0, 1], "y": [1, 0]},
    "bar": {"x": [0, 1], "y": [1, 2]},
    "scatterternary": {"a": [1], "b": [0], "c": [0]},
    "heatmap": {"z": [[0, 1], [1, 0]]},
}
"""One small trace of every plotly trace type that ``core/charts/`` draws, keyed by type
(``tests/test_warmup.py`` fails when a chart uses a type missing here)."""


def sample_figure() -> go.Figure:
    """A figure with subplots, one trace of every type in ``SAMPLE_TRACES``, an animation
    frame and buttons: what the charts build, so plotly loads each part's validators."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2)
    for kind, data in SAMPLE_TRACES.items():
        figure.add_trace({"type": kind, "name": kind, **data})
    figure.frames = [go.Frame(data=[go.Scatter(x=[0], y=[0])])]
    figure.update_layout(updatemenus=[{"type": "buttons", "buttons": []}])
    return figure


def exercise() -> None:
    """Run each kind of work once, so the lazily imported parts of torch, gymnasium, plotly
    and pandas (and the class room's SQLAlchemy and Alembic) exist before freezing: a short
    REINFORCE run, an episode played, and a figure of every trace type the charts use,
    serialised the way Streamlit does."""
    import pandas  # noqa: F401  (Streamlit's tables and data editors)
    import plotly.io as pio

    import core.charts.theme
    import core.pool
    import core.rooms.store  # noqa: F401  (SQLAlchemy and Alembic, for the class room page)
    from core.charts.export import figure_to_csv
    from core.reinforce.config import PRESETS
    from core.reinforce.rollout import play_episode
    from core.reinforce.trainer import Trainer

    trainer = Trainer(replace(PRESETS["default"], max_episodes=32))
    trainer.step(max_vector_steps=400)
    play_episode(trainer.policy, 0)
    trainer.close()

    figure = sample_figure()
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
