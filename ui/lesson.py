"""The path through the lesson: each page ends with a check-yourself question and links to the
previous and next page, in the registry's order.

Every question lives in :data:`CHECKS`, keyed by the page's URL path; a new page adds one
entry (a test fails for a registered page without one). Its answers are shown in an order
drawn from the sidebar's seed, the right ones spread evenly over the positions
(:func:`shown_choices`), so where the right one stands tells nothing.
Answers are never stored: the radio has no URL binding and nothing is written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.common import global_seed
from ui.registry import HOME, PAGES, PageEntry


@dataclass(frozen=True)
class Choice:
    """One answer to a check-yourself question."""

    text: str
    """The answer as the learner reads it."""
    correct: bool
    """Whether it is right."""
    why: str
    """Feedback shown once it is chosen: why it is right, or what it misses."""


@dataclass(frozen=True)
class Check:
    """A short question on what a page has just shown."""

    question: str
    """The question (markdown)."""
    choices: tuple[Choice, ...]
    """Its answers (shown in the order of :func:`shown_choices`); exactly one is correct."""


CHECKS: dict[str, Check] = {
    HOME.url_path: Check(
        "In the REINFORCE loop, which line stands for π_θ(τ), the probability of the whole "
        "trajectory?",
        (Choice("`torch.stack(log_probs).sum()` — the sum of log π_θ(a_t | s_t)", False,
                "Close, but that is log π_θ(τ) without the dynamics terms, and it is there "
                "only through its gradient. π_θ(τ) itself is never computed."),
         Choice("None: π_θ(τ) is in how τ was drawn, by running the policy", True,
                "Right. Trajectories arrive with frequency π_θ(τ), so a plain average over "
                "them already carries the weighting."),
         Choice("`R = sum(rewards)`", False,
                "R is r(τ), the reward of the trajectory, not its probability.")),
    ),
    "expectation": Check(
        "You average p(xᵢ)·f(xᵢ) over samples drawn from p. What does it converge to?",
        (Choice("Σ p(x)·f(x), the expectation", False,
                "That is what the plain average of f(xᵢ) converges to. Multiplying by p "
                "weights each value a second time."),
         Choice("Σ p(x)²·f(x)", True,
                "Right. The samples already come with frequency p; the extra factor weights "
                "by p twice, as the trap chart showed."),
         Choice("It does not converge", False,
                "It does converge (the trap curve settles), just on the wrong number.")),
    ),
    "split": Check(
        "Why is E[r]·E[∇log π] always zero for a softmax policy?",
        (Choice("Because r and ∇log π are independent", False,
                "They are not: both come from the same action. That dependence is exactly "
                "what the split throws away."),
         Choice("Because E[∇log π] = Σ ∇π(a) = ∇1 = 0", True,
                "Right. The probabilities always sum to one, so the expected score is zero "
                "for every θ, whatever the rewards."),
         Choice("Because the rewards average to zero", False,
                "E[r] was not zero in the table; the factor that vanishes is E[∇log π].")),
    ),
    "log-derivative": Check(
        "Adding a constant baseline b to every reward (r − b) changes what?",
        (Choice("The expected gradient", False,
                "No: E[b·∇log p] = b·E[∇log p] = 0, so the mean of the estimate is unchanged."),
         Choice("The variance of the estimate, not its mean", True,
                "Right. The baseline leaves the expectation alone and, well chosen, makes the "
                "per-sample terms smaller and the estimate less noisy."),
         Choice("Nothing at all", False,
                "The mean stays, but the spread of the per-sample terms changes with b.")),
    ),
    "trajectories": Check(
        "log π_θ(τ) is a sum of log-probabilities of the actions and of the transitions "
        "P(s′ | s, a). Why can REINFORCE ignore the transitions?",
        (Choice("Because the gridworld is deterministic", False,
                "It is slippery here, and the transitions still drop out: that is the point."),
         Choice("Because log P(s′ | s, a) does not depend on θ, so its gradient is zero", True,
                "Right. ∇θ log π_θ(τ) = Σ ∇θ log π_θ(a_t | s_t): the dynamics are in how the "
                "episodes were sampled (through env.step), never in the gradient."),
         Choice("Because the transitions average out over many episodes", False,
                "Each episode's dynamics terms have zero gradient exactly, not just on "
                "average.")),
    ),
    "pytorch-loss": Check(
        "With plain SGD, replacing `.sum()` by `.mean()` over N samples has the same effect "
        "as…",
        (Choice("flipping the sign of the gradient", False,
                "The sign comes from the minus in the loss; sum and mean share it."),
         Choice("dividing the learning rate by N", True,
                "Right. mean = sum / N, so the gradient and hence the SGD step shrink by N. "
                "Adam rescales steps and nearly ignores that factor."),
         Choice("nothing, ever", False,
                "It matters with SGD unless the learning rate absorbs the 1/N, and it "
                "re-weights episodes of different lengths.")),
    ),
    "bandit": Check(
        "Adding the same constant c to every arm's reward, without a baseline: what happens?",
        (Choice("The exact path and REINFORCE both change", False,
                "The exact path cannot change: ∇J is the same when every reward moves by c."),
         Choice("The exact path stays; REINFORCE gets noisier", True,
                "Right. Each sampled arm is pushed up with weight ≈ c, which cancels only on "
                "average; a mean-reward baseline removes it."),
         Choice("Nothing changes", False,
                "The expectation does not change, but single REINFORCE steps do.")),
    ),
    "corridor": Check(
        "In the short corridor the agent cannot tell the cells apart. The best policy…",
        (Choice("always goes right", False,
                "Always right gets stuck in the swapped middle cell and never reaches the goal."),
         Choice("picks right with a probability strictly between 0 and 1", True,
                "Right: p ≈ 0.59 (2 − √2). A policy-gradient method can learn a probability; "
                "ε-greedy action values cannot express it."),
         Choice("picks left and right with equal probability", False,
                "Random, but not fifty-fifty: v(p) peaks at p = 2 − √2 ≈ 0.59.")),
    ),
    "cartpole": Check(
        "A run's return falls back after it first reached 500. The most likely cause is…",
        (Choice("a bug: REINFORCE only ever improves", False,
                "REINFORCE follows a noisy estimate of the gradient, and a large step can "
                "make the policy worse."),
         Choice("a step too large for a noisy gradient estimate", True,
                "Right. Lower the learning rate, add a baseline or more episodes per update, "
                "and the drops shrink."),
         Choice("the environment got harder", False,
                "CartPole-v1 does not change during training; the policy does.")),
    ),
    "gallery": Check(
        "Which slip makes the return fall instead of rise?",
        (Choice("Dropping the minus sign in the loss", True,
                "Right. The optimizer then descends on J itself: gradient descent on the "
                "expected return pushes it down."),
         Choice("Total return G₀ credited to every step", False,
                "More noise in the gradient (and at γ < 1 a slightly different expected "
                "direction than reward-to-go): the return rises more slowly on average, but "
                "it rises."),
         Choice("Actions by argmax instead of sampling", False,
                "Nothing else is ever tried, so the return stays near where it started "
                "(the pole falls after about 10 steps); it does not fall further.")),
    ),
    "class_room": Check(
        "Two students chose the same learning rate, yet one solved CartPole in 300 episodes "
        "and the other never did. What explains it?",
        (Choice("Their seeds differ: REINFORCE's result is itself random", True,
                "Right. Each run samples its own episodes, so one setting gives a spread of "
                "outcomes; compare settings by many runs each, as the room's scatter does."),
         Choice("One of them had less of the server's CPU", False,
                "A busier server trains more slowly in seconds, but the number of episodes "
                "to solve depends only on the settings and the random draws."),
         Choice("One run must have had a bug", False,
                "Both ran the same code with the same settings; only the random draws "
                "(the seed) differed.")),
    ),
}
"""The check-yourself question of every page, keyed by its URL path ("" is the home page)."""


def order() -> list[PageEntry]:
    """Every page in the lesson's order: the home page, then the registry's pages."""
    return [HOME, *PAGES]


def neighbours(url_path: str) -> tuple[PageEntry | None, PageEntry | None]:
    """The pages before and after ``url_path`` in the lesson (None at either end, or for a
    path the registry does not know)."""
    pages = order()
    paths = [entry.url_path for entry in pages]
    if url_path not in paths:
        return None, None
    index = paths.index(url_path)
    before = pages[index - 1] if index > 0 else None
    after = pages[index + 1] if index + 1 < len(pages) else None
    return before, after


def shown_choices(url_path: str, seed: int) -> tuple[Choice, ...]:
    """The answers of ``url_path``'s question in the order the page shows them, drawn from
    ``seed`` (the same on every run with that seed).

    The seed deals the pages a shuffled deck of slots 0, 1, …; a page's right answer stands at
    its slot modulo its number of answers, its wrong ones around it in a seeded order. So for
    every seed the right answers are spread evenly over the positions (with three answers each:
    first, second and last on about a third of the pages each), and which page has which is
    random."""
    paths = list(CHECKS)
    slot = int(np.random.default_rng(seed).permutation(len(paths))[paths.index(url_path)])
    choices = CHECKS[url_path].choices
    wrong = [choice for choice in choices if not choice.correct]
    order = np.random.default_rng([seed, slot]).permutation(len(wrong))
    shown = [wrong[i] for i in order]
    shown.insert(slot % len(choices), next(choice for choice in choices if choice.correct))
    return tuple(shown)


def check_yourself(url_path: str) -> None:
    """The page's check-yourself question, its answers in the seed's order
    (:func:`shown_choices`), with feedback on the answer chosen."""
    check = CHECKS.get(url_path)
    if check is None:
        return
    with st.container(border=True):
        st.markdown(f"**Check yourself.** {check.question}")
        choices = shown_choices(url_path, global_seed())
        texts = [choice.text for choice in choices]
        picked = st.radio("Your answer", texts, index=None, key=f"check_{url_path or 'home'}",
                          label_visibility="collapsed")
        if picked is not None:
            choice = choices[texts.index(picked)]
            if choice.correct:
                st.success(choice.why, icon=":material/check_circle:")
            else:
                st.error(f"Not quite. {choice.why}", icon=":material/cancel:")


def page_end(url_path: str) -> None:
    """What closes every page: the check-yourself question, then Previous / Next links."""
    check_yourself(url_path)
    before, after = neighbours(url_path)
    left, right = st.columns(2)
    if before is not None:
        left.page_link(before.path, label=f"Previous: {before.title}", icon=before.icon)
    if after is not None:
        right.page_link(after.path, label=f"Next: {after.title}", icon=after.icon)
