"""Tab contents of the PyTorch-loss page. Streamlit only: every number comes from
``core.loss_demo`` and ``core.softmax``; nothing is computed here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import loss_demo as ld
from core.charts import pytorch_loss as charts
from ui.common import show_chart
from ui.presenter import data_table, predict_then_reveal, revealed

START_LOGITS = (0.0, 0.0, 0.0)
MIRROR_BATCHES = 6
EPISODE_LENGTHS = (2, 8)
SHORT_REDUCTIONS = {"episode_sum": "sum per episode", "episode_mean": "mean per episode",
                    "batch_mean": "mean over batch"}

MIRROR_KEY = "pl_mirror_chart"
"""Key of the first tab's question (does θ.grad equal −N × the estimate?); in presenter mode the
intro and the code walk-through hold back their answer to it until its Reveal."""

SIGN_KEY = "pl_sign_chart"
"""Key of the second tab's question (what happens to J without the minus sign?)."""


@dataclass(frozen=True)
class CodeRow:
    """One line of the loop on the page, beside the formula term it computes."""

    code: str
    """The Python line; ``{loss_line}`` stands for the loss line (with or without the sign)."""
    formula: str
    """LaTeX of what the line computes; ``{loss_formula}`` and ``{grad_formula}`` are filled in
    by :func:`code_rows`."""
    note: str
    """A short explanation beside it."""
    note_before_reveal: str | None = None
    """The note shown in presenter mode before the first tab's Reveal, when ``note`` answers that
    question ("" shows none); None: ``note`` answers nothing and is always shown."""


CODE_ROWS: tuple[CodeRow, ...] = (
    CodeRow("dist = Categorical(logits=theta)",
            r"\pi_\theta(x) = \mathrm{softmax}(\theta)_x", "the policy"),
    CodeRow("x = dist.sample((N,))", r"x_1,\dots,x_N \sim \pi_\theta",
            "p(τ) lives here: samples arrive with frequency π_θ", note_before_reveal=""),
    CodeRow("log_probs = dist.log_prob(x)", r"\log \pi_\theta(x_i)", "one term per sample"),
    CodeRow("returns = rewards[x]", r"r(x_i)", "the reward of each sample"),
    CodeRow("{loss_line}", r"{loss_formula}", "a sum over the batch, with the sign"),
    CodeRow("optimizer.zero_grad()", r"\texttt{theta.grad} \leftarrow 0",
            "forget the last batch"),
    CodeRow("loss.backward()", r"\texttt{theta.grad} = {grad_formula}",
            "autograd differentiates each log π_θ(x_i): the sum of r(x_i)∇log π_θ(x_i)",
            note_before_reveal="autograd fills theta.grad"),
    CodeRow("optimizer.step()", r"\theta \leftarrow \theta - \alpha\,\texttt{theta.grad}",
            "SGD shown; Adam rescales the step"),
)


def code_rows(minus_sign: bool) -> None:
    """The loop, one line per row, each beside the formula term it computes. In presenter mode,
    until the first tab's Reveal, without what answers its question: θ.grad = ∓N·ĝ and the
    notes that say where p(τ) went."""
    answered = revealed(MIRROR_KEY)
    loss_line = ("loss = -(log_probs * returns).sum()" if minus_sign
                 else "loss = (log_probs * returns).sum()   # minus sign dropped")
    sign = "-" if minus_sign else "+"
    loss_formula = rf"L(\theta) = {sign}\sum_{{i=1}}^{{N}} r(x_i)\,\log \pi_\theta(x_i)"
    grad_formula = r"\nabla_\theta L" + (rf" = {sign}N\,\hat g" if answered else "")
    st.caption("Categorical is torch.distributions.Categorical; theta holds the K logits "
               "(requires_grad=True) and rewards the K rewards, both torch tensors.")
    for row in CODE_ROWS:
        left, middle, right = st.columns([5, 4, 3], vertical_alignment="center", gap="small")
        left.code(row.code.format(loss_line=loss_line), language="python")
        middle.latex(row.formula.replace("{loss_formula}", loss_formula)
                     .replace("{grad_formula}", grad_formula))
        note = row.note if answered or row.note_before_reveal is None else row.note_before_reveal
        if note:
            right.caption(note)
    st.latex(r"\hat g = \frac{1}{N}\sum_{i=1}^{N} r(x_i)\,\nabla_\theta \log \pi_\theta(x_i)"
             r"\;\approx\; \nabla_\theta J(\theta)")


@st.cache_data(max_entries=16, show_spinner=False)
def _batches(rewards: tuple[float, ...], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return ld.mirror_batches(np.array(START_LOGITS), np.array(rewards), n, MIRROR_BATCHES,
                             np.random.default_rng([seed, 5]))


def mirror_tab(rewards: np.ndarray, n: int, lr: float, minus_sign: bool, seed: int) -> None:
    """θ.grad from backward() against −N × the estimate and −N × the exact gradient."""
    logits = np.array(START_LOGITS)
    one = ld.mirror_step(logits, rewards, n, np.random.default_rng([seed, 3]), lr=lr,
                         minus_sign=minus_sign)
    grads, scaled = _batches(tuple(float(r) for r in rewards), n, seed)
    exact = -n * one.exact
    if not predict_then_reveal("The code never weights a sample by π_θ(x). Will θ.grad from "
                               "backward() still equal −N × the sample-average estimate of "
                               "∇J?", key=MIRROR_KEY):
        return  # presenter mode: the table, chart and sentences below answer it
    data_table(pd.DataFrame({
        "logit": [f"θ{j + 1}" for j in range(len(logits))],
        "θ.grad from backward()": one.grad_backward,
        f"{'−' if minus_sign else '+'}N × sample-average estimate":
            (-n if minus_sign else n) * one.estimate,
        "−N × exact gradient": exact}), hide_index=True, width="stretch")
    gap = float(np.max(np.abs(one.grad_backward - (-n if minus_sign else n) * one.estimate)))
    st.markdown(f"Largest difference between θ.grad and {'−' if minus_sign else '+'}N × the "
                f"estimate: **{gap:.2e}** (rounding). They are the same number; both miss the "
                "exact value by the sampling noise.")
    show_chart(charts.gradient_comparison_chart(grads, scaled, exact, n=n),
               key=MIRROR_KEY)
    st.markdown("The code never writes π_θ(x) as a weight: the samples already come with "
                "frequency π_θ(x), so their plain sum carries it. That is where p(τ) went.")
    direction = "raises" if one.j_after > one.j_before else "lowers"
    st.markdown(f"One SGD step at lr = {lr:g} moves θ by −lr·θ.grad = "
                f"{'+' if minus_sign else '−'}lr·N·ĝ and {direction} J from "
                f"{one.j_before:.5g} to {one.j_after:.5g}.")


@st.cache_data(max_entries=32, show_spinner=False)
def _runs(rewards: tuple[float, ...], optimizer: str, lr: float, n: int,
          seed: int) -> ld.TrainingResult:
    specs = (ld.RunSpec(optimizer, lr, True, "sum", "chosen"),
             ld.RunSpec(optimizer, lr, False, "sum", "chosen, no minus"),
             ld.RunSpec("sgd", lr / n, True, "sum", "sgd sum lr/N"),
             ld.RunSpec("sgd", lr, True, "mean", "sgd mean"),
             ld.RunSpec("sgd", lr, True, "sum", "sgd sum"),
             ld.RunSpec("adam", lr, True, "sum", "adam sum"),
             ld.RunSpec("adam", lr, True, "mean", "adam mean"))
    return ld.train(np.array(START_LOGITS), np.array(rewards), specs, n=n,
                    steps=ld.TRAINING_STEPS, seed=seed)


def training(rewards: np.ndarray, optimizer: str, lr: float, n: int,
             seed: int) -> ld.TrainingResult:
    """The seeded runs every training chart uses (cached), addressed by name."""
    return _runs(tuple(float(r) for r in rewards), optimizer, float(lr), int(n), int(seed))


def sign_tab(runs: ld.TrainingResult, minus_sign: bool) -> None:
    """J with and without the minus sign."""
    j_with, j_without = runs.j("chosen"), runs.j("chosen, no minus")
    if not predict_then_reveal("What happens to J if the minus sign is dropped?",
                               key=SIGN_KEY):
        return  # presenter mode: the chart and the sentence under it answer it
    show_chart(charts.sign_chart(j_with, j_without, chosen_with=minus_sign), key=SIGN_KEY)
    st.markdown(f"Same seed, same samples, {ld.TRAINING_STEPS} steps: with the minus sign J "
                f"goes from {j_with[0]:.4g} to **{j_with[-1]:.4g}**; without it to "
                f"**{j_without[-1]:.4g}**. Optimizers only minimise, so we hand them −J: a descent "
                "step on −J is an ascent step on J.")


def sum_mean_tab(runs: ld.TrainingResult, rewards: np.ndarray, lr: float, n: int,
                 rng: np.random.Generator) -> None:
    """SGD sum vs mean at the same lr (the case that bites), SGD sum with lr/N vs mean, Adam
    sum vs mean, and episodes of different length."""
    names = [f"θ{j + 1} (r = {r:g})" for j, r in enumerate(rewards)]
    sum_same, mean_same = runs.theta("sgd sum"), runs.theta("sgd mean")
    j_sum, j_mean = runs.j("sgd sum"), runs.j("sgd mean")
    if not predict_then_reveal("With SGD and the same learning rate, will the sum and the mean "
                               "train alike?", key="pl_sgd_same_chart"):
        return  # presenter mode: everything below answers it
    show_chart(charts.paths_chart(sum_same, mean_same, first_name=f"SGD, sum, lr = {lr:g}",
                                  second_name=f"SGD, mean, lr = {lr:g}", logit_names=names,
                                  title="SGD, the same lr for both: the sum steps N× further"),
               key="pl_sgd_same_chart")
    best = float(np.max(rewards))
    st.markdown(
        f"With the same lr = {lr:g}, the sum's gradient is N = {n} times the mean's, so each "
        f"SGD step is {n} times longer. After {ld.TRAINING_STEPS} steps the sum run has J = "
        f"**{j_sum[-1]:.4g}** (the best arm pays {best:g}) and logits up to "
        f"**{float(np.max(np.abs(sum_same[-1]))):.3g}** in size; the mean run has J = "
        f"**{j_mean[-1]:.4g}** (from {j_mean[0]:.4g}) and logits up to "
        f"**{float(np.max(np.abs(mean_same[-1]))):.3g}**. A learning rate tuned for one is "
        f"{n} times off for the other: the sum saturates (or, with a larger lr, diverges) "
        "where the mean crawls.")
    st.markdown(
        "Both conventions are in wide use: Spinning Up's `simple_pg.py` takes the **mean**, "
        "`-(logp * weights).mean()` over every step of the batch, while the PyTorch example "
        "`reinforce.py` takes the **sum**, `torch.cat(policy_loss).sum()`. Copy a learning "
        "rate from one to the other and it is off by the number of terms.")
    left, right = st.columns(2)
    with left:
        _sum_mean_pair(runs, ("sgd sum lr/N", f"SGD, sum, lr/N = {lr / n:.3g}"),
                       ("sgd mean", f"SGD, mean, lr = {lr:g}"), names,
                       title="SGD: sum with lr/N against mean with lr", key="pl_sgd_chart",
                       gap_label="Largest difference over the run",
                       why="A sum is N times a mean, and lr/N undoes the factor exactly.")
    with right:
        _sum_mean_pair(runs, ("adam sum", f"Adam, sum, lr = {lr:g}"),
                       ("adam mean", f"Adam, mean, lr = {lr:g}"), names,
                       title="Adam: sum against mean, same lr", key="pl_adam_chart",
                       gap_label="Largest difference",
                       why="Adam divides each step by a running size of the gradient, so a "
                           "constant factor N cancels (up to its tiny ε).")
    st.subheader("Episodes of different length")
    example = ld.episode_example(np.array(START_LOGITS), rewards, EPISODE_LENGTHS, rng)
    st.markdown("Two episodes on the same bandit (one action per step, reward r(a) each "
                "step, return R = the sum). Reductions: " + "; ".join(
                    f"**{SHORT_REDUCTIONS[kind]}** = {label}"
                    for kind, label in ld.REDUCTIONS.items()) + ".")
    rows = {"episode": [f"episode {i + 1}" for i in range(len(example.lengths))],
            "steps T": example.lengths.astype(int), "return R": example.returns}
    for kind, label in SHORT_REDUCTIONS.items():
        rows[f"weight ({label})"] = example.weights[kind]
    data_table(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("θ.grad from loss.backward() under each reduction (logits 0):")
    grads = pd.DataFrame({label: example.grads[kind] for kind, label in SHORT_REDUCTIONS.items()},
                         index=[f"θ{j + 1}" for j in range(len(rewards))])
    data_table(grads, width="stretch")
    st.markdown("Each episode contributes g = R·Σₜ∇log π(aₜ). Summing over its steps gives "
                "both episodes the same weight, which is the unbiased estimate of ∇J. "
                "Averaging over each episode's steps divides by T, so the long episode counts "
                f"{EPISODE_LENGTHS[1] // EPISODE_LENGTHS[0]}× less per unit of return. A mean "
                "over all steps of the batch keeps the weights equal but scales the step by "
                "1/ΣT, which changes from batch to batch.")


def _sum_mean_pair(runs: ld.TrainingResult, first: tuple[str, str], second: tuple[str, str],
                   logit_names: list[str], *, title: str, key: str, gap_label: str,
                   why: str) -> None:
    """The logit paths of two runs, each given as (run name, legend label), on one chart,
    and the largest gap between them over the run."""
    (first_run, first_label), (second_run, second_label) = first, second
    a, b = runs.theta(first_run), runs.theta(second_run)
    show_chart(charts.paths_chart(a, b, first_name=first_label, second_name=second_label,
                                  logit_names=logit_names, title=title), key=key)
    st.markdown(f"{gap_label}: **{float(np.max(np.abs(a - b))):.1e}**. {why}")


def loss_tab(runs: ld.TrainingResult, preset: str) -> None:
    """The loss value next to J during the same run."""
    loss = runs.loss_per_sample()[runs.index("chosen")]
    j = runs.j("chosen")
    if not predict_then_reveal("While J rises, will the loss fall?", key="pl_loss_chart"):
        return  # presenter mode: the chart and the sentences below answer it
    show_chart(charts.loss_vs_j_chart(loss, j), key="pl_loss_chart")
    trend = "rises" if loss[-20:].mean() > loss[:20].mean() else "falls"
    st.markdown(f"Here the loss {trend} while J goes from {j[0]:.4g} to {j[-1]:.4g}.")
    st.markdown("The loss is only a device whose gradient at the current θ is −N·ĝ. Its value "
                "is −mean(r·log π) over this batch: when the policy becomes sure of an action, "
                "log π → 0 and the loss → 0 whatever the reward. With positive rewards it "
                "falls towards 0; with all rewards negative (a cost) it starts below 0 and "
                "rises towards 0 while J improves. Judge training by J or by returns, never by "
                "the loss.")
    if preset != "negative":
        st.caption("Choose the reward table 'All negative' above to see the loss rise.")

