"""A gallery of classic mistakes: each one trained beside correct REINFORCE on the same seeds."""

import uuid

import streamlit as st

from core.charts import gallery as charts
from core.limits import LIMITS
from core.pool import PoolError, run_job
from core.reinforce import mistakes as gm
from core.reinforce.config import TrainConfig
from ui.common import global_seed, show_chart, show_problem
from ui.entry import run_through_app
from ui.presenter import data_table, predict_then_reveal, table_height

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

ALL = "all"
EPISODE_OPTIONS = [100, 200, 300, 400, 500, 600]
BUSY = ("The server could not train these runs ({reason}). Press Run to try again.")


class Busy(Exception):
    """The training pool could not train a run (its worker stopped or did not answer)."""


@st.cache_data(max_entries=256, ttl=6 * 3600, show_spinner=False)
def cached_run(config: TrainConfig, _holder: str) -> gm.Run:
    # One entry per (config, seed, budget): the correct runs are shared by every mistake.
    # Trained in a worker process of the training pool, not on this script thread.
    try:
        run: gm.Run = run_job(gm.train_run, config)
    except PoolError as error:
        raise Busy(str(error)) from error
    return run


def holder() -> str:
    if "gm_holder" not in st.session_state:
        st.session_state["gm_holder"] = f"gallery-{uuid.uuid4().hex}"
    return st.session_state["gm_holder"]


def train(keys: tuple[str, ...], seeds: tuple[int, ...], episodes: int
          ) -> list[gm.Comparison]:
    """Every comparison, with a progress bar while runs train (cached runs are instant)."""
    total, done = 2 * len(keys) * len(seeds), [0]  # a correct and a mistaken run each
    bar = st.progress(0.0, text="Training…")

    def runner(config: TrainConfig) -> gm.Run:
        run = cached_run(config, holder())
        done[0] += 1
        bar.progress(done[0] / total, text=f"Training: {done[0]} of {total} runs done")
        return run

    try:
        return [gm.compare(gm.mistake(k), seeds, episodes, runner=runner) for k in keys]
    finally:
        bar.empty()


def label(key: str) -> str:
    return (f"All {len(gm.MISTAKES)}, one after the other" if key == ALL
            else gm.mistake(key).title)


def changed_fields(entry: gm.Mistake) -> str:
    base = entry.correct()
    text = ", ".join(f"`{name}` {getattr(base, name)!r} → {value!r}"
                     for name, value in entry.changes)
    if entry.setting:
        text += " (both runs: " + ", ".join(f"`{name}` = {value!r}"
                                           for name, value in entry.setting) + ")"
    return text


def ranking_table(results: list[gm.Comparison]) -> None:
    """The ranking as a table: area under the curve, final return, episodes to each level."""
    n = len(results[0].seeds)
    rows = [{"run": row.name, "area under the curve": round(row.area),
             "final return": round(row.final),
             **{f"episodes to {level:g}": gm.reached_text(mean, hits, n)
                for level, (mean, hits) in zip(gm.LEVELS, row.reached, strict=True)}}
            for row in gm.ranking(results)]
    # Tall enough for every row: the ranking is read whole, not scrolled.
    data_table(rows, hide_index=True, width="stretch", height=table_height(len(rows)))


def show_comparison(comparison: gm.Comparison, *, detailed: bool) -> None:
    entry = comparison.mistake
    st.subheader(entry.title)
    st.caption(f"Changed from the correct run: {changed_fields(entry)}. The line that differs:")
    st.code(f"- {entry.code[0]}\n+ {entry.code[1]}", language="diff")
    # The sentence says what happens: in presenter mode it comes with the chart, after Reveal.
    if not predict_then_reveal("With this mistake, will the return rise like the correct "
                               "run's, rise more slowly, stay where it started, or fall?",
                               key=f"gm_chart_{entry.key}"):
        return
    st.markdown(f"**What goes wrong.** {entry.sentence}")
    show_chart(charts.returns_figure(comparison), key=f"gm_chart_{entry.key}")
    if detailed:
        left, right = st.columns(2, gap="large")
        with left:
            show_chart(charts.entropy_figure(comparison), key=f"gm_chart_{entry.key}_entropy")
        with right:
            show_chart(charts.evaluation_figure(comparison), key=f"gm_chart_{entry.key}_eval")
    st.markdown("**Measured on these seeds**\n\n"
                + "\n".join(f"- {line}" for line in gm.measured_lines(comparison)))


st.title("A gallery of classic mistakes")
st.markdown(
    "Each mistake below is a one-line slip in a REINFORCE loop. The page trains the **correct** "
    "version and the **mistaken** one on CartPole from the same seeds, so both start from the "
    "same network and the same environments, and draws them side by side. The correct run: "
    f"{gm.describe_base()}. Budgets are small (at most {gm.MAX_EPISODES} episodes a run): "
    "enough to see each effect, not always to finish learning."
)

with st.container(border=True):
    c1, c2, c3 = st.columns([4, 2, 2], gap="large")
    with c1:
        choice = st.selectbox("Mistake", [*gm.MISTAKE_KEYS, ALL], format_func=label,
                              key="gm_mistake", bind="query-params")
    with c2:
        n_seeds = st.slider("Seeds", 1, gm.MAX_SEEDS, 3, key="gm_seeds", bind="query-params",
                            help="Each seed gives both versions the same initial network and "
                                 "the same environments.")
    with c3:
        episodes = st.select_slider("Episodes per run", EPISODE_OPTIONS, value=300,
                                    key="gm_episodes", bind="query-params")
    pressed = st.button("Run", key="gm_run", type="primary", icon=":material/play_arrow:")

keys = gm.MISTAKE_KEYS if choice == ALL else (choice,)
first = global_seed()
settings = (tuple(keys), tuple(range(first, first + int(n_seeds))), int(episodes))
if pressed or "gm_last" not in st.session_state:
    # The first view trains what the controls (or a shared link) say; later changes wait for Run.
    st.session_state["gm_last"] = settings
last = st.session_state["gm_last"]
if last != settings:
    st.info("The settings changed: press **Run** to train them. Below: the last run.",
            icon=":material/info:")

problem = gm.validate_request(last[1], last[2], len(last[0]), LIMITS.max_episodes_per_session,
                             n_correct=gm.correct_runs(last[0]))
results: list[gm.Comparison] = []
if problem:
    show_problem(problem)
else:
    try:
        results = train(*last)
    except Busy as busy:
        show_problem(BUSY.format(reason=busy))

if len(results) > 1:
    show_chart(charts.overview_figure(results), key="gm_chart_overview")
    st.markdown(
        "**Ranking.** The area under the learning curve is the mean return over every "
        "training episode, so a run that learns late scores low even when it finishes well. "
        "Episodes to a level: when a batch's mean return first reached "
        f"{gm.LEVELS[0]:g} (CartPole-v0's solved line) and {gm.LEVELS[1]:g} (CartPole-v1's).")
    ranking_table(results)
for comparison in results:
    show_comparison(comparison, detailed=len(results) == 1)

st.caption(
    "Every run is seeded: the same settings give the same curves. Start and end are the mean "
    "returns of the first batch and of the last three; fresh starts are "
    f"{gm.EVAL_EPISODES} evaluation "
    "episodes per seed from start states training never used, with the run's own way of "
    "choosing actions. The sentences describe effects measured on these runs and checked by "
    "the app's tests; with other seeds the numbers move."
)
