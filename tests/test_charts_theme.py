"""core.charts.theme: charts that fit a phone (wrapped titles, room for a wrapping legend)."""

import plotly.graph_objects as go

from core.charts.theme import (
    TITLE_LINE_CHARS,
    fit_narrow_screens,
    for_projector,
    legend_rows,
    new_figure,
    wrap_title,
)


def test_long_titles_wrap_at_spaces_and_short_ones_stay():
    title = "θ.grad from loss.backward() against −N × the estimate (6 batches of N = 1,000)"
    lines = wrap_title(title).split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_LINE_CHARS for line in lines)
    assert " ".join(lines) == title
    fig = fit_narrow_screens(new_figure("Episode return"))
    assert fig.layout.title.text == "Episode return" and fig.layout.margin.t is None


def test_subtitles_wrap_and_other_markup_is_left_alone():
    fig = fit_narrow_screens(new_figure(
        "REINFORCE with three step sizes (Figure 13.1)<br><sup>mean of 100 runs ± 2 standard "
        "errors, each from the same start, over a thousand episodes</sup>"))
    text = fig.layout.title.text
    assert text.count("<br>") >= 3 and text.count("<sup>") == text.count("</sup>") >= 2
    marked = "a <i>b</i> " * 10
    assert fit_narrow_screens(new_figure(marked)).layout.title.text == marked


def test_room_for_a_legend_that_wraps_on_a_phone():
    """Three entries fit a wide chart in one row but need two on a phone: the top margin
    holds the title and both rows, so the legend never grows over the title."""
    fig = new_figure("E[XY] = E[X]·E[Y] + Cov(X, Y)")
    for name in ("E[XY]", "E[X]·E[Y]", "Cov(X, Y)"):
        fig.add_trace(go.Bar(x=[1], y=[1], name=name))
    assert legend_rows(fig) == 2
    fit_narrow_screens(fig)
    assert fig.layout.margin.t >= 60 + 24
    # A legend placed elsewhere asks for no room above the plot.
    fig = new_figure("t")
    for name in ("a long legend entry", "another long legend entry", "and a third"):
        fig.add_trace(go.Scatter(x=[1], y=[1], name=name))
    fig.update_layout(legend={"y": 0.05, "yanchor": "bottom"})
    assert fit_narrow_screens(fig).layout.margin.t is None


def test_projector_keeps_the_wrapped_title_under_the_edge():
    fig = fit_narrow_screens(new_figure("Weighting the samples by p again lands somewhere else"))
    lifted = fig.layout.title.pad.t
    assert lifted > 6
    assert for_projector(fig).layout.title.pad.t > lifted
