"""The teacher's charts of a class-experiment room: every run's learning curve coloured by the
setting the class varies, and that setting against the episodes each run needed to solve.

Nicknames are the students' own text: they are HTML-escaped before they reach a figure (plotly
renders a few HTML tags in names and hover text).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from core.charts.theme import GREY, PALETTE, legend_below, new_figure
from core.rooms.settings import SETTINGS, RoomSetting, format_value
from core.rooms.store import RunRecord
from core.rooms.summary import THRESHOLDS

COLORSCALE = "Viridis"
"""Sequential scale for numeric settings (perceptually even, colour-blind safe)."""
JITTER = 0.12
"""Half-width of the sideways spread of runs sharing one value, in units of the gap between
neighbouring options, so they do not hide each other."""


def student_label(record: RunRecord) -> str:
    """A run's name in legends and hovers: the escaped nickname, else 'student <id>'."""
    name = html.escape(record.nickname) if record.nickname else f"student {record.student_id}"
    return f"{name} (run {record.id})"


def value_colour(setting: RoomSetting, value: object,
                 present: Sequence[object] | None = None) -> str:
    """The colour of one value. Numbers: its rank among the ``present`` values (default: all
    offered) on a sequential scale, so the values a class actually tried are spread over the
    whole scale; other settings: the palette in option order."""
    options = list(setting.options)
    index = options.index(value) if value in options else 0
    if setting.numeric:
        ranks = sorted({options.index(v) for v in (present or options) if v in options})
        rank = ranks.index(index) if index in ranks else 0
        return str(sample_colorscale(COLORSCALE, [rank / max(1, len(ranks) - 1)])[0])
    return PALETTE[index % len(PALETTE)]


def curves_figure(records: Sequence[RunRecord], compare_by: str, *, height: int = 480
                  ) -> go.Figure:
    """All runs' thinned learning curves overlaid, one colour per value of ``compare_by``."""
    setting = SETTINGS[compare_by]
    fig = new_figure("Every run's learning curve", x_title="episode",
                     y_title="mean return (thinned)", height=height)
    shown: set[str] = set()
    present = [r.settings.get(compare_by) for r in records]
    ordered = sorted(records, key=lambda r: _order(setting, r.settings.get(compare_by)))
    for record in ordered:
        value = record.settings.get(compare_by)
        label = f"{setting.label} = {format_value(compare_by, value)}"
        episodes = [e for e, _ in record.curve]
        returns = [v for _, v in record.curve]
        fig.add_trace(go.Scatter(
            x=episodes, y=returns, mode="lines", name=label, legendgroup=label,
            showlegend=label not in shown, line={"color": value_colour(setting, value, present),
                                                 "width": 2},
            hovertemplate=f"{student_label(record)}<br>{label}<br>episode %{{x}}"
                          "<br>return %{y:.0f}<extra></extra>"))
        shown.add(label)
    for threshold in THRESHOLDS:
        fig.add_hline(y=threshold, line={"dash": "dot", "color": GREY, "width": 1},
                      annotation_text=f"{threshold}", annotation_position="top left")
    fig.update_yaxes(range=[0, 520])
    fig.update_layout(margin={"l": 85})
    if not records:
        fig.add_annotation(text="No runs yet: they appear here as students train.",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return legend_below(fig)


def _order(setting: RoomSetting, value: object) -> int:
    options = list(setting.options)
    return options.index(value) if value in options else len(options)


def _positions(setting: RoomSetting, records: Sequence[RunRecord], name: str) -> list[float]:
    """x of each run: its value (its option index for categories), spread sideways among runs
    that share it."""
    seen: dict[object, int] = {}
    xs = []
    options = list(setting.options)
    for record in records:
        value = record.settings.get(name)
        k = seen.get(value, 0)
        seen[value] = k + 1
        offset = JITTER * (((k + 1) // 2) * (1 if k % 2 else -1)) / 3 if k else 0.0
        index = options.index(value) if value in options else 0
        if not setting.numeric:
            xs.append(index + offset)
        elif setting.log_scale:
            step = math.log10(options[1] / options[0]) if len(options) > 1 else 0.3
            xs.append(float(value) * 10 ** (offset * step))  # type: ignore[arg-type]
        else:
            gaps = np.diff(np.asarray(options, dtype=float))
            step = float(np.min(gaps)) if len(gaps) else 1.0
            xs.append(float(value) + offset * step)  # type: ignore[arg-type]
    return xs


def solve_figure(records: Sequence[RunRecord], compare_by: str, threshold: int = THRESHOLDS[-1], *,
                 height: int = 480) -> go.Figure:
    """``compare_by`` against the episodes each run needed to reach ``threshold`` (last-100
    mean), with runs that have not reached it on a row of their own above the chart (hollow
    while they are still training)."""
    setting = SETTINGS[compare_by]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.18, 0.82],
                        vertical_spacing=0.04)
    fig.update_layout(height=height, title=f"{setting.label} vs episodes to a last-100 mean "
                                           f"of {threshold}", showlegend=False)
    xs = _positions(setting, records, compare_by)
    present = [r.settings.get(compare_by) for r in records]
    solved_x, solved_y, solved_text, solved_colour = [], [], [], []
    open_x, open_text, open_colour, open_symbol = [], [], [], []
    for x, record in zip(xs, records, strict=True):
        value = record.settings.get(compare_by)
        reached = record.to_195 if threshold == 195 else record.to_475
        text = (f"{student_label(record)}<br>{setting.label} = "
                f"{format_value(compare_by, value)}<br>{record.episodes} episodes, last-100 "
                f"mean {record.mean_last100:.0f}")
        colour = value_colour(setting, value, present)
        if reached is None:
            open_x.append(x)
            open_text.append(text + ("" if record.finished else "<br>still training"))
            open_colour.append(colour)
            open_symbol.append("x" if record.finished else "circle-open")
        else:
            solved_x.append(x)
            solved_y.append(reached)
            solved_text.append(text)
            solved_colour.append(colour)
    marker = {"size": 13, "line": {"width": 1, "color": "#333333"}}
    fig.add_trace(go.Scatter(x=open_x, y=[0.0] * len(open_x), mode="markers",
                             marker={**marker, "color": open_colour, "symbol": open_symbol,
                                     "line": {"width": 2, "color": open_colour}},
                             hovertext=open_text, hoverinfo="text", name="not solved"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=solved_x, y=solved_y, mode="markers",
                             marker={**marker, "color": solved_colour}, hovertext=solved_text,
                             hoverinfo="text", name="solved"), row=2, col=1)
    fig.update_yaxes(row=1, col=1, tickvals=[0], ticktext=["not solved"], range=[-1, 1],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(row=2, col=1, title_text=f"episodes to {threshold}", rangemode="tozero")
    if not setting.numeric:
        fig.update_xaxes(row=2, col=1, tickvals=list(range(len(setting.options))),
                         ticktext=[str(o) for o in setting.options],
                         range=[-0.5, len(setting.options) - 0.5])
        fig.update_xaxes(row=1, col=1, range=[-0.5, len(setting.options) - 0.5])
    else:
        low, high = float(min(setting.options)), float(max(setting.options))
        if setting.log_scale:
            pad = 0.25
            decades = [v for v in setting.options if math.log10(float(v)).is_integer()]
            fig.update_xaxes(type="log", range=[math.log10(low) - pad, math.log10(high) + pad],
                             tickvals=decades, ticktext=[f"{float(v):g}" for v in decades])
        else:
            pad = 0.05 * (high - low or 1.0)
            fig.update_xaxes(range=[low - pad, high + pad])
    fig.update_xaxes(row=2, col=1, title_text=setting.label)
    fig.update_layout(margin={"l": 110})
    if not solved_x:
        fig.update_yaxes(row=2, col=1, range=[0, 500])
        fig.add_annotation(text=f"No run has reached {threshold} yet", showarrow=False,
                           x=0.5, y=0.4, xref="paper", yref="paper")
    return fig
