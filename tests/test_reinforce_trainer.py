"""core.reinforce.trainer: determinism, learning, divergence, live changes and budgets."""

import numpy as np
import pytest

from core.reinforce.config import PRESETS, RESTART_FIELDS, TrainConfig, preset, validate_config
from core.reinforce.trainer import Trainer


def _run(config: TrainConfig, **step_kwargs) -> Trainer:
    trainer = Trainer(config)
    while not trainer.stopped:
        trainer.step(**step_kwargs)
    trainer.close()
    return trainer


def _weights(trainer: Trainer) -> list[bytes]:
    return [p.detach().numpy().tobytes() for p in trainer.policy.parameters()]


def test_same_config_and_seed_give_bit_identical_histories_however_chunked():
    config = TrainConfig(seed=7, max_episodes=120, episodes_per_update=8, num_envs=4)
    a = _run(config)
    b = _run(config, max_vector_steps=17)    # many small chunks, paused mid-batch
    c = _run(config, max_episodes=5)
    for other in (b, c):
        assert other.returns == a.returns
        assert [u.loss for u in other.updates] == [u.loss for u in a.updates]
        assert [u.grad_norm for u in other.updates] == [u.grad_norm for u in a.updates]
        assert _weights(other) == _weights(a)
    different = _run(TrainConfig(seed=8, max_episodes=120, episodes_per_update=8, num_envs=4))
    assert different.returns != a.returns


def test_classic_per_step_loop_is_deterministic_too():
    config = preset("classic", seed=3, max_episodes=6)
    a, b = _run(config), _run(config)
    assert a.returns == b.returns and _weights(a) == _weights(b)
    assert [u.loss for u in a.updates] == [u.loss for u in b.updates]
    assert len(a.updates) == 6  # one episode per update


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tiny_budget_improves_mean_return(seed):
    trainer = _run(TrainConfig(seed=seed, max_episodes=320))
    first, last = np.array(trainer.returns[:64]), np.array(trainer.returns[-64:])
    se = np.sqrt(first.var(ddof=1) / first.size + last.var(ddof=1) / last.size)
    assert last.mean() - first.mean() > 4 * se


def test_flipped_sign_does_not_improve():
    trainer = _run(TrainConfig(seed=1, max_episodes=320, sign="plus"))
    first, last = np.array(trainer.returns[:64]), np.array(trainer.returns[-64:])
    se = np.sqrt(first.var(ddof=1) / first.size + last.var(ddof=1) / last.size)
    assert last.mean() < first.mean() + 4 * se
    assert last.mean() < 30  # it learns to drop the pole quickly


def test_absurd_learning_rate_stops_with_a_divergence_message():
    trainer = Trainer(TrainConfig(lr=1e39, max_episodes=500))
    trainer.step()
    assert trainer.diverged and trainer.stopped
    assert "diverged" in trainer.stop_reason and "learning rate" in trainer.stop_reason
    n = len(trainer.updates)
    assert n < 5
    assert trainer.step().updates == []  # a stopped trainer does no more work
    assert len(trainer.updates) == n
    trainer.close()


def test_live_change_takes_effect_at_next_update_and_is_recorded():
    trainer = Trainer(TrainConfig(seed=2, max_episodes=400))
    trainer.step(max_episodes=32)
    done = len(trainer.updates)
    outcome = trainer.change(TrainConfig(seed=2, max_episodes=400, lr=0.001, baseline="none",
                                         entropy_coef=0.01, hidden=(64,), num_envs=8))
    assert set(outcome.applied) == {"lr", "baseline", "entropy_coef"}
    assert set(outcome.needs_restart) == {"hidden", "num_envs"}
    assert trainer.config.hidden == (32,) and trainer.config.lr == 0.001
    assert {c.name for c in trainer.changes} == {"lr", "baseline", "entropy_coef"}
    assert all(c.update == done + 1 for c in trainer.changes)
    trainer.step(max_episodes=16)
    assert [u.lr for u in trainer.updates[:done]] == [0.02] * done
    assert trainer.updates[done].lr == 0.001
    assert trainer.change(TrainConfig(lr=-1.0)).problem
    trainer.close()


def test_budget_is_exact_and_can_be_raised_mid_run():
    trainer = Trainer(TrainConfig(max_episodes=50, episodes_per_update=16))
    trainer.step()
    assert len(trainer.episodes) == 50 and "budget" in trainer.stop_reason
    trainer.change(TrainConfig(max_episodes=60, episodes_per_update=16))
    assert not trainer.stopped
    trainer.step()
    assert len(trainer.episodes) == 60
    trainer.close()


def test_solved_needs_a_full_window():
    trainer = Trainer(TrainConfig())
    trainer.returns = [500.0] * 99
    assert not trainer.solved
    trainer.returns.append(500.0)
    assert trainer.solved
    trainer.returns.extend([0.0] * 6)
    assert not trainer.solved  # mean of the last 100 is 470
    trainer.close()


def test_presets_are_valid_and_classic_matches_the_known_loop():
    for config in PRESETS.values():
        assert validate_config(config) is None
    classic = PRESETS["classic"]
    assert (classic.episodes_per_update, classic.num_envs, classic.rollout) == (1, 1, "per_step")
    assert (classic.gamma, classic.weighting, classic.baseline) == (
        0.99, "reward_to_go", "episode_standardise")
    assert (classic.reduction, classic.optimizer, classic.lr) == ("sum", "adam", 1e-2)
    assert (classic.hidden, classic.dropout) == ((128,), 0.6)
    assert "hidden" in RESTART_FIELDS and "lr" not in RESTART_FIELDS


@pytest.mark.parametrize("bad", [
    {"lr": 0.0}, {"lr": float("nan")}, {"gamma": 1.5}, {"dropout": 1.0}, {"hidden": (0,)},
    {"hidden": (8,) * 5}, {"episodes_per_update": 0}, {"num_envs": 2000},
    {"rollout": "per_step", "num_envs": 4},
    {"rollout": "per_step", "num_envs": 1, "episodes_per_update": 64},
    {"entropy_coef": -1.0}, {"max_grad_norm": 0.0},
    {"max_episodes": 0}, {"optimizer": "rmsprop"}, {"baseline": "median"}, {"seed": -1},
])
def test_invalid_configs_give_a_message_not_an_exception(bad):
    config = TrainConfig(**bad)
    assert isinstance(validate_config(config), str)
    with pytest.raises(ValueError):
        Trainer(config)
