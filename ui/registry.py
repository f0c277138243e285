"""Every page of the app, in navigation order, with the question it answers."""

from __future__ import annotations

from dataclasses import dataclass

from core.reinforce.mistake_registry import MISTAKES


@dataclass(frozen=True)
class PageEntry:
    """One page of the app."""

    path: str
    """Script path relative to the repository root."""
    title: str
    """Title in the navigation and the browser tab."""
    icon: str
    """Material icon shown in the navigation."""
    url_path: str
    """Path segment of the page's URL."""
    section: str
    """Navigation section the page sits in."""
    questions: tuple[int, ...] = ()
    """Which of the learner's four questions (1-4) the page answers."""
    blurb: str = ""
    """One sentence for the home page on what the page lets you watch."""


HOME = PageEntry("pages/home.py", "Start here", ":material/home:", "", "Start")

PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/expectation.py", "Expectation vs sample average", ":material/functions:",
              "expectation", "The four questions", questions=(2,)),
    PageEntry("pages/split.py", "Can the expectation be split?", ":material/call_split:",
              "split", "The four questions", questions=(1,)),
    PageEntry("pages/log-derivative.py", "The log-derivative trick", ":material/function:",
              "log-derivative", "The four questions", questions=(1,)),
    PageEntry("pages/pytorch-loss.py", "From the formula to the PyTorch loss", ":material/code:",
              "pytorch-loss", "The four questions", questions=(2, 3, 4)),
    PageEntry("pages/trajectories.py", "Trajectories: the dynamics drop out", ":material/route:",
              "trajectories", "The four questions", questions=(2,)),
    PageEntry("pages/bandit.py", "Learning a distribution: the bandit", ":material/casino:",
              "bandit", "Labs",
              blurb="Watch a softmax policy's probabilities move under exact gradient ascent "
                    "and under REINFORCE, with the learning rate and the rewards in your hands."),
    PageEntry("pages/corridor.py", "The short corridor", ":material/swap_horiz:",
              "corridor", "Labs",
              blurb="A problem where the best policy is random: REINFORCE finds it, with and "
                    "without a baseline (Sutton & Barto, Example 13.1)."),
    PageEntry("pages/cartpole.py", "REINFORCE on CartPole, live", ":material/play_circle:",
              "cartpole", "Labs",
              blurb="Set the learning rate and the other knobs, press Start, and watch "
                    "REINFORCE learn to balance a pole, live."),
    PageEntry("pages/gallery.py", "A gallery of classic mistakes", ":material/bug_report:",
              "gallery", "Labs",
              blurb=f"{len(MISTAKES)} one-line slips in a REINFORCE loop, each trained beside "
                    "the correct version on the same seeds, with what goes wrong and why."),
    PageEntry("pages/class_room.py", "Class experiment", ":material/groups:", "class_room",
              "Class",
              blurb="A teacher opens a room, every student trains CartPole with a setting of "
                    "their own, and the projector shows all the runs at once, live."),
)
"""All pages except the home page."""

QUESTIONS: dict[int, tuple[str, str]] = {
    1: ("Can E[r·∇log π] be split into E[r]·E[∇log π]?",
        "No. r and ∇log π are computed from the same τ, so they are correlated: "
        "E[XY] = E[X]E[Y] + Cov(X, Y). And E[∇log π] = 0, so the split would always be zero."),
    2: ("Where did p(τ) go in the code?",
        "Into the sampling. p(τ) is π_θ(τ), the probability of the whole trajectory under the "
        "policy. Trajectories drawn by running the policy already turn up with frequency "
        "π_θ(τ), so their plain average estimates the π_θ-weighted sum."),
    3: ("Why the minus sign in the loss?",
        "Optimizers minimise. Taking a descent step on −J is taking an ascent step on J."),
    4: ("Why a sum over the episode and not an average?",
        "Summing instead of averaging multiplies the gradient by N, a factor the learning rate "
        "absorbs when N is fixed. When episode lengths vary it re-weights episodes; Adam is "
        "nearly blind to the scale."),
}
"""The four questions a learner asks on reading the derivation and the PyTorch loop,
each with its one-paragraph answer."""


def pages_in_section(section: str) -> list[PageEntry]:
    """The registered pages of one navigation section, in order."""
    return [page for page in PAGES if page.section == section]


def pages_answering(question: int) -> list[PageEntry]:
    """The registered pages that answer ``question``."""
    return [page for page in PAGES if question in page.questions]
