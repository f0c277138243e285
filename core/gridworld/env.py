"""The gridworld as an ordinary ``gymnasium.Env``: what the learner talks to.

The environment moves the agent by simulating the slip (a random other move with probability
slip), not by reading the table P in ``core.gridworld``: the two are independent descriptions of
the same world, and the tests check that REINFORCE through this environment agrees with the
exact gradient computed from P.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium import spaces
from gymnasium.wrappers import TimeLimit

from core.gridworld.world import MOVES, N_ACTIONS, GridConfig, Gridworld


class SlipperyGridEnv(gym.Env[int, int]):
    """Observations: the state index (a cell that is not a wall). Actions: 0 up, 1 right,
    2 down, 3 left. Reward: the step reward, plus the goal or pit reward on entering them."""

    def __init__(self, config: GridConfig) -> None:
        self._world = Gridworld(config)
        self._slip = float(config.slip)
        self.metadata = {"render_modes": []}
        # Discrete's own samples are numpy integers; this environment returns plain ints.
        self.observation_space = spaces.Discrete(self._world.n_states)  # type: ignore[assignment]
        self.action_space = spaces.Discrete(N_ACTIONS)  # type: ignore[assignment]
        self._state = self._world.start

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[int, dict[str, Any]]:
        super().reset(seed=seed)
        self._state = self._world.start
        return self._state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        action = int(action)
        if self.np_random.random() < self._slip:  # slip: one of the three other moves
            action = (action + 1 + int(self.np_random.integers(N_ACTIONS - 1))) % N_ACTIONS
        row, col = self._world.cells[self._state]
        d_row, d_col = MOVES[action]
        self._state = self._world.index.get((row + d_row, col + d_col), self._state)
        reward = self._world.entering_reward(self._state)
        terminated = bool(self._world.terminal[self._state])
        return self._state, reward, terminated, False, {}


def make_env(config: GridConfig) -> gym.Env[int, int]:
    """The environment with gymnasium's TimeLimit: episodes are cut where γ^t is negligible."""
    world = Gridworld(config)
    return TimeLimit(SlipperyGridEnv(config), max_episode_steps=world.max_episode_steps())

