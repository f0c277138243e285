"""Charts of the gallery of classic mistakes: correct vs mistaken, on the same seeds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLUE,
    GREY,
    ORANGE,
    VERMILLION,
    label_line_in_margin,
    legend_below,
    new_figure,
)
from core.reinforce.mistakes import Comparison, ranking
from core.reinforce.rollout import RETURN_AXIS
from core.thinning import linear_spaced_indices

CORRECT_LABEL = "correct"
MISTAKE_LABEL = "with the mistake"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band_note(n_seeds: int) -> str:
    if n_seeds == 1:
        return "one seed"
    return f"mean of {n_seeds} seeds; band from the lowest to the highest seed"


def _add_side(fig: go.Figure, x: np.ndarray, y: np.ndarray, name: str, colour: str,
              fmt: str, *, hatched: bool = False) -> None:
    """Mean over seeds as a line, the seeds' range as a band (rows of ``y`` are seeds). A
    ``hatched`` band is drawn as diagonal lines in its colour, so where it lies over the
    other side's filled band both stay recognisable (two tinted fills mix into grey), and
    each band's edges are drawn in its colour, so where the bands overlap each one's lowest
    and highest seed can still be followed."""
    idx = linear_spaced_indices(len(x), 1000)
    x = x[idx].astype(np.float32)
    y = y[:, idx]
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(y, axis=0) if np.isfinite(y).any() else np.full(len(x), np.nan)
    if y.shape[0] > 1 and np.isfinite(y).any():
        low, high = np.nanmin(y, axis=0), np.nanmax(y, axis=0)
        fill = ({"fillcolor": "rgba(0,0,0,0)",
                 "fillpattern": {"shape": "/", "fgcolor": _rgba(colour, 0.55),
                                 "bgcolor": "rgba(0,0,0,0)", "size": 8, "solidity": 0.15}}
                if hatched else {"fillcolor": _rgba(colour, 0.18)})
        fig.add_trace(go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([high, low[::-1]]).astype(np.float32),
            fill="toself", line={"width": 1, "color": _rgba(colour, 0.6)},
            hoverinfo="skip", showlegend=False, legendgroup=name, **fill))
    fig.add_trace(go.Scatter(x=x, y=mean.astype(np.float32), mode="lines+markers", name=name,
                             line={"color": colour, "width": 2.5}, marker={"size": 5},
                             legendgroup=name,
                             hovertemplate=f"after %{{x}} episodes: %{{y:{fmt}}}<extra>{name}"
                                           "</extra>"))


def returns_figure(comparison: Comparison, *, height: int = 400) -> go.Figure:
    """Mean return of each update's batch against episodes, correct vs mistaken."""
    n = len(comparison.seeds)
    fig = new_figure(f"{comparison.mistake.title}<br><sup>Return per batch: {_band_note(n)}"
                     "</sup>", x_title="episodes trained", y_title="mean return of the batch",
                     height=height)
    for side, name, colour in ((comparison.correct, CORRECT_LABEL, BLUE),
                               (comparison.mistaken, MISTAKE_LABEL, VERMILLION)):
        x, y = side.update_curves()
        _add_side(fig, x, y, name, colour, ".0f", hatched=name == MISTAKE_LABEL)
    fig.update_yaxes(range=list(RETURN_AXIS))
    fig.update_layout(margin={"t": 80})
    return legend_below(fig)


def entropy_figure(comparison: Comparison, *, height: int = 320) -> go.Figure:
    """Mean policy entropy per update: how random the policy still is (ln 2 = a coin flip)."""
    fig = new_figure("How random the policy is", x_title="episodes trained",
                     y_title="mean entropy (nats)", height=height)
    for side, name, colour in ((comparison.correct, CORRECT_LABEL, BLUE),
                               (comparison.mistaken, MISTAKE_LABEL, VERMILLION)):
        x, _ = side.update_curves()
        _add_side(fig, x, side.entropy_curves(), name, colour, ".3f",
                  hatched=name == MISTAKE_LABEL)
    fig.add_hline(y=float(np.log(2)), line={"color": GREY, "dash": "dot"})
    label_line_in_margin(fig, float(np.log(2)), "ln 2:<br>a fair<br>coin")
    fig.update_yaxes(range=[0, 0.75])
    return legend_below(fig)


def _strip(fig: go.Figure, label: str, values: np.ndarray, colour: str) -> None:
    fig.add_trace(go.Bar(x=[label], y=[float(np.mean(values))], marker={"color":
                                                                        _rgba(colour, 0.35)},
                         name=label, showlegend=False,
                         hovertemplate="mean over seeds: %{y:.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[label] * len(values), y=values.astype(np.float32),
                             mode="markers", marker={"color": colour, "size": 10},
                             showlegend=False,
                             hovertemplate="one seed: %{y:.0f}<extra></extra>"))


def evaluation_figure(comparison: Comparison, *, height: int = 320) -> go.Figure:
    """Mean return of the trained policies on fresh start states (one dot per seed)."""
    fig = new_figure("After training, from fresh start states", y_title="mean return",
                     height=height)
    _strip(fig, CORRECT_LABEL, comparison.correct.eval_means(), BLUE)
    _strip(fig, MISTAKE_LABEL.replace("the ", "the<br>"), comparison.mistaken.eval_means(),
           VERMILLION)
    own = [r.start_state_eval_returns for r in comparison.mistaken.runs]
    if all(r is not None for r in own):
        _strip(fig, "with the mistake,<br>from its one<br>training start",
               np.array([float(np.mean(r)) for r in own if r is not None]), ORANGE)
    fig.update_yaxes(range=list(RETURN_AXIS))
    fig.update_xaxes(tickangle=0)
    return fig


def overview_figure(comparisons: Sequence[Comparison], *, height: int = 520) -> go.Figure:
    """Every run ranked by the area under its learning curve (mean return per training
    episode: slow learners score low even if they finish well), best first; bars are the mean
    over seeds, dots the seeds, diamonds the final return (last three batches)."""
    fig = new_figure("Ranked by the area under the learning curve",
                     x_title="mean return per training episode (dots: seeds; ◆: final return)",
                     height=height)
    if not comparisons:
        return fig
    rows = ranking(comparisons)
    labels = [row.name for row in rows][::-1]
    for k, row in enumerate(rows):
        colour = BLUE if row.is_correct else VERMILLION
        values = row.side.area()
        fig.add_trace(go.Bar(y=[row.name], x=[row.area], orientation="h",
                             marker={"color": _rgba(colour, 0.35)}, showlegend=False,
                             hovertemplate="area, mean over seeds: %{x:.0f}<extra></extra>"))
        fig.add_trace(go.Scatter(y=[row.name] * len(values), x=values.astype(np.float32),
                                 mode="markers", marker={"color": colour, "size": 9},
                                 showlegend=False,
                                 hovertemplate="area, one seed: %{x:.0f}<extra></extra>"))
        fig.add_trace(go.Scatter(y=[row.name], x=[row.final], mode="markers",
                                 marker={"color": GREY, "size": 11, "symbol": "diamond"},
                                 name="final return", showlegend=k == 0,
                                 hovertemplate="final return: %{x:.0f}<extra></extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, automargin=True)
    fig.update_xaxes(range=list(RETURN_AXIS))
    # Inside the plot, bottom right: the worst runs' bars are short there, and the chart's
    # toolbar above the plot stays clear.
    fig.update_layout(legend={"orientation": "h", "x": 0.99, "y": 0.02, "xanchor": "right",
                              "yanchor": "bottom"})
    return fig
