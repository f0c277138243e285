"""The gallery's registry of classic REINFORCE mistakes: the correct run and every mistake,
each one or two config fields changed. Light on purpose (no torch, no gymnasium), so the page
registry and the sidebar can count and name the mistakes from here.

Add a mistake here, once: the gallery page, its ranking, the page registry's blurb and the
tests all read this tuple. The trainer makes the mistakes in the loss itself (sign,
logprob_mean, prob, not_detached) in one step, ``core.reinforce.trainer.gallery_mistakes``,
applied to the correct loss.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.reinforce.config import TrainConfig

GALLERY_BASE = TrainConfig(
    lr=0.02, optimizer="adam", gamma=0.99, hidden=(32,), activation="tanh",
    episodes_per_update=16, num_envs=16, rollout="batched", weighting="reward_to_go",
    baseline="batch_standardise", reduction="sum", sign="minus", max_episodes=300)
"""The correct run every mistake is compared with (the app's default config, written out so
the gallery's measured effects do not move if that default changes)."""

@dataclass(frozen=True)
class Mistake:
    """One classic mistake: what to change, and what goes wrong."""

    key: str
    """Short id, used in links."""
    title: str
    """The mistake, named in a few words."""
    changes: tuple[tuple[str, Any], ...]
    """Config fields set to the mistaken values, as (field, value) pairs."""
    sentence: str
    """What goes wrong and why, in one sentence."""
    code: tuple[str, str]
    """The one line of a PyTorch REINFORCE loop that differs: (correct, mistaken)."""
    setting: tuple[tuple[str, Any], ...] = ()
    """Config fields both sides share that ``GALLERY_BASE`` lacks (e.g. the learned baseline
    a mistake about that baseline needs), as (field, value) pairs."""

    def correct(self, base: TrainConfig = GALLERY_BASE) -> TrainConfig:
        """The correct run this mistake is compared with: ``base`` plus its shared setting."""
        return replace(base, **dict(self.setting))

    def config(self, base: TrainConfig = GALLERY_BASE) -> TrainConfig:
        """``base`` with this mistake made."""
        return replace(self.correct(base), **dict(self.changes))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("sign", "The minus sign dropped", (("sign", "plus"),),
            "Optimizers minimise, so a loss of +J instead of −J makes every step descend J: "
            "actions followed by long episodes become less likely, the policy grows sure of "
            "the wrong moves, and the return falls instead of rising.",
            ("loss = -(log_probs * weights).sum()", "loss = (log_probs * weights).sum()")),
    Mistake("total", "Total return G₀ for every step", (("weighting", "total"),),
            "An action cannot change the rewards that came before it, yet G₀ credits it with "
            "them, so each estimate carries their noise and learning is slower on average. "
            "Only at γ = 1 do both weightings have the same expected gradient: at γ "
            f"= {GALLERY_BASE.gamma:g} G₀ weighting estimates ∇J_γ, while the usual "
            "reward-to-go drops the factor γ^t in front of each G_t, a known bias that is "
            "usually wanted.",
            ("weights = rewards_to_go(rewards, gamma)",
             "weights = [sum(rewards)] * len(rewards)")),
    Mistake("logprob_mean", "Log-probabilities averaged before multiplying by returns",
            (("logprob_pairing", "batch_mean_first"),),
            "The mean of log π times the mean of the weights is not the mean of their product: "
            "every action loses its own return, and weights standardised over the batch have "
            "mean 0, so the gradient is zero up to rounding and nothing is learned.",
            ("loss = -(log_probs * weights).sum()",
             "loss = -log_probs.sum() * weights.mean()")),
    Mistake("episode_std", "Returns standardised per episode, not per batch",
            (("baseline", "episode_standardise"),),
            "Standardising within each episode gives every episode the same pattern of "
            "weights, positive early and negative on its last third to half (reward-to-go "
            "falls along every episode), so a 500-step success is discouraged at its end just "
            "like a 10-step failure; the run can no longer tell which episodes were better, "
            "only which steps came early, and learns more slowly.",
            ("weights = (batch_G - batch_G.mean()) / batch_G.std()",
             "weights = (episode_G - episode_G.mean()) / episode_G.std()")),
    Mistake("same_reset", "The environment reset with the same seed every episode",
            (("reset_seed", "same"),),
            "Every training episode starts from one and the same state, yet the sampled "
            "actions still make the episodes differ and every start state of CartPole lies "
            "within ±0.05 of upright and still, so the policy still learns and does almost as "
            "well from fresh starts as from its own.",
            ("obs, _ = env.reset()", "obs, _ = env.reset(seed=seed)")),
    Mistake("argmax", "Actions by argmax instead of sampling", (("action_selection", "argmax"),),
            "Always taking the more probable action means never trying the other: the "
            "untrained policy pushes the same way nearly every step, so the pole falls after "
            "about 10 steps, and with nothing else tried the returns cannot say which action "
            "would have been better: they stay at about 10.",
            ("action = dist.sample()", "action = probs.argmax()")),
    Mistake("lr10", "A learning rate ten times too large",
            (("lr", GALLERY_BASE.lr * 10),),
            "Steps ten times larger make the policy almost deterministic within about a "
            "hundred episodes; a seed may race ahead at first, but a policy that no longer "
            "explores cannot recover once it locks onto poor moves, so runs stall or fall back "
            "while the correct ones keep improving.",
            (f"optimizer = Adam(policy.parameters(), lr={GALLERY_BASE.lr:g})",
             f"optimizer = Adam(policy.parameters(), lr={GALLERY_BASE.lr * 10:g})")),
    Mistake("zero_grad", "optimizer.zero_grad() forgotten", (("zero_grad", "never"),),
            "loss.backward() adds into .grad, so without zero_grad() each step follows the sum "
            "of every gradient computed so far: after a few updates the direction is "
            "dominated by old batches from policies long gone, and the run learns more slowly "
            "and less surely than the correct one.",
            ("optimizer.zero_grad(); loss.backward()", "loss.backward()")),
    Mistake("prob", "Probabilities instead of log-probabilities", (("score", "prob"),),
            "The loss −Σ π(a_t|s_t)·w_t differentiates to −Σ π(a_t|s_t)·w_t·∇log π(a_t|s_t): "
            "each term is scaled by the probability of the action taken, so the gradient is "
            "not the policy gradient but a biased direction in which rare actions hardly "
            "count, and learning crawls.",
            ("loss = -(log_probs * weights).sum()",
             "loss = -(log_probs.exp() * weights).sum()")),
    Mistake("not_detached", "A learned baseline not detached", (("value_detach", "attached"),),
            "Both runs subtract a learned state value V(s_t) (Sutton & Barto §13.4). Left "
            "attached, V is also trained by the policy loss, whose gradient Σ log π·∇V "
            "(log π < 0) pushes V up, above the returns it should track. The policy gradient "
            "stays unbiased (V depends on the state only), so only its noise suffers: some "
            "seeds learn more slowly, others no worse, a bug that hides.",
            ("weights = returns - values.detach()", "weights = returns - values"),
            setting=(("baseline", "learned"),)),
    Mistake("forwards", "Reward-to-go computed forwards", (("weighting", "reward_so_far"),),
            "Running R ← r + γR from the first step instead of from the last gives each step "
            "the rewards before it, not after: the last steps, the ones that let the pole "
            "fall, get the largest weights, so the moves that end episodes are reinforced "
            "most and the return falls towards the shortest episodes, about 10 steps.",
            ("for r in reversed(rewards): R = r + gamma * R",
             "for r in rewards: R = r + gamma * R")),
)
"""The gallery, in the order the page shows it."""

MISTAKE_KEYS: tuple[str, ...] = tuple(m.key for m in MISTAKES)


def mistake(key: str) -> Mistake:
    """The mistake with this key."""
    for entry in MISTAKES:
        if entry.key == key:
            return entry
    raise ValueError(f"unknown mistake {key!r}; choose one of {', '.join(MISTAKE_KEYS)}")


