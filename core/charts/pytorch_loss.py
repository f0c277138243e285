"""Figures for the page "From the formula to the PyTorch loss"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    PALETTE,
    VERMILLION,
    legend_below,
    new_figure,
)
from core.thinning import linear_spaced_indices


def gradient_comparison_chart(grads: np.ndarray, scaled: np.ndarray, exact: np.ndarray, *,
                              n: int) -> go.Figure:
    """Per logit: θ.grad from backward() (circles) and −N × the estimate (crosses) for several
    batches, and −N × the exact gradient (black bar). Circles and crosses coincide; batches
    scatter around the bar."""
    count, k = grads.shape
    fig = new_figure(f"θ.grad from loss.backward() against −N × the estimate ({count} batches "
                     f"of N = {n:,})", x_title="logit", y_title="gradient component",
                     height=420)
    offsets = np.linspace(-0.25, 0.25, count) if count > 1 else np.zeros(1)
    x = (np.arange(k)[None, :] + offsets[:, None]).ravel()
    fig.add_scatter(x=x, y=grads.ravel(), mode="markers", name="θ.grad from backward()",
                    marker={"symbol": "circle-open", "size": 12, "color": BLUE,
                            "line": {"width": 2}},
                    hovertemplate="θ.grad %{y:.6g}<extra></extra>")
    fig.add_scatter(x=x, y=scaled.ravel(), mode="markers", name="−N × sample-average estimate",
                    marker={"symbol": "x-thin", "size": 9, "color": VERMILLION,
                            "line": {"width": 2, "color": VERMILLION}},
                    hovertemplate="−N·estimate %{y:.6g}<extra></extra>")
    for j in range(k):
        fig.add_scatter(x=[j - 0.35, j + 0.35], y=[exact[j], exact[j]], mode="lines",
                        name="−N × exact gradient", legendgroup="exact", showlegend=j == 0,
                        line={"color": BLACK, "width": 3},
                        hovertemplate=f"−N·exact {exact[j]:.6g}<extra></extra>")
    fig.update_xaxes(tickvals=list(range(k)), ticktext=[f"θ{j + 1}" for j in range(k)])
    return legend_below(fig)


def sign_chart(j_with: np.ndarray, j_without: np.ndarray, *, chosen_with: bool) -> go.Figure:
    """J during two seeded runs: with the minus sign (ascent) and without it (descent)."""
    fig = new_figure("J during training: with and without the minus sign",
                     x_title="optimizer step", y_title="J(θ) = E[r]", height=400)
    steps = np.arange(len(j_with))
    keep = linear_spaced_indices(len(steps))
    for values, name, colour, chosen in (
            (j_with, "loss = −(log_probs · returns).sum()", BLUE, chosen_with),
            (j_without, "loss = +(log_probs · returns).sum()<br>(sign dropped)", VERMILLION,
             not chosen_with)):
        fig.add_scatter(x=steps[keep], y=values[keep], mode="lines", name=name,
                        line={"color": colour, "width": 4 if chosen else 1.5},
                        opacity=1.0 if chosen else 0.6)
    return legend_below(fig)


def paths_chart(first: np.ndarray, second: np.ndarray, *, first_name: str, second_name: str,
                title: str, logit_names: Sequence[str] | None = None) -> go.Figure:
    """Each logit's path under two settings: solid for the first, dotted on top for the
    second, so identical paths look like one dotted line. The legend names both settings
    (in grey, by line style) and each logit's colour."""
    steps = np.arange(first.shape[0])
    keep = linear_spaced_indices(len(steps))
    fig = new_figure(title, x_title="optimizer step", y_title="logit θ", height=380)
    k = first.shape[1]
    names = list(logit_names) if logit_names is not None else [f"θ{j + 1}" for j in range(k)]
    for j in range(k):
        colour = PALETTE[j % len(PALETTE)]
        fig.add_scatter(x=steps[keep], y=first[keep, j], mode="lines", legendgroup="first",
                        name=first_name, showlegend=False,
                        line={"color": colour, "width": 5}, opacity=0.45,
                        hovertemplate=f"{names[j]} %{{y:.6g}}<extra>{first_name}</extra>")
        fig.add_scatter(x=steps[keep], y=second[keep, j], mode="lines", legendgroup="second",
                        name=second_name, showlegend=False,
                        line={"color": colour, "width": 2, "dash": "dot"},
                        hovertemplate=f"{names[j]} %{{y:.6g}}<extra>{second_name}</extra>")
    # Legend-only entries: the two settings by line style, the logits by colour.
    for name, line, opacity in ((first_name, {"color": GREY, "width": 5}, 0.45),
                                (second_name, {"color": GREY, "width": 2, "dash": "dot"}, 1.0)):
        fig.add_scatter(x=[None], y=[None], mode="lines", name=name, line=line,
                        opacity=opacity, hoverinfo="skip")
    for j in range(k):
        fig.add_scatter(x=[None], y=[None], mode="lines", name=names[j],
                        line={"color": PALETTE[j % len(PALETTE)], "width": 3},
                        hoverinfo="skip")
    return legend_below(fig)


def loss_vs_j_chart(loss: np.ndarray, j: np.ndarray) -> go.Figure:
    """The loss value per step next to J on one time axis."""
    fig = new_figure("The loss value is not a score: loss and J during the same run",
                     x_title="optimizer step", y_title="value", height=400)
    steps = np.arange(len(loss))
    keep = linear_spaced_indices(len(steps))
    fig.add_scatter(x=steps[keep], y=loss[keep], mode="lines", name="loss / N on the batch",
                    line={"color": ORANGE, "width": 1.5})
    fig.add_scatter(x=steps[keep], y=j[:-1][keep], mode="lines", name="J(θ) (exact)",
                    line={"color": BLUE, "width": 3})
    fig.add_hline(y=0.0, line={"color": GREY, "width": 1})
    return legend_below(fig)
