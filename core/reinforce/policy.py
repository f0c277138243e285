"""The policy network: an MLP from CartPole's 4 observations to 2 action logits.

Initial weights and dropout masks come from the policy's own ``torch.Generator``, so runs are
reproducible even when many sessions share one process (and its global torch RNG).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from core.torch_env import torch

OBS_DIM = 4
N_ACTIONS = 2


class _Dropout(torch.nn.Module):
    """Inverted dropout drawing its masks from a private generator."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__()
        self.p = p
        self.generator = generator

    def draw(self, x: torch.Tensor) -> torch.Tensor:
        """A fresh keep-mask (1 = kept) shaped like ``x``."""
        return torch.empty_like(x).bernoulli_(1.0 - self.p, generator=self.generator)

    def forward(self, x: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        """Drop units of ``x``: with the given keep-mask, else a freshly drawn one."""
        if not self.training or self.p == 0.0:
            return x
        if keep is None:
            keep = self.draw(x)
        return x * keep / (1.0 - self.p)


class Policy(torch.nn.Module):
    """π_θ(a|s) as a softmax over the logits of a small MLP."""

    def __init__(self, hidden: tuple[int, ...], activation: str = "tanh", dropout: float = 0.0,
                 seed: int = 0) -> None:
        super().__init__()
        self.generator = torch.Generator().manual_seed(int(seed))
        act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]
        layers: list[torch.nn.Module] = []
        sizes = (OBS_DIM, *hidden)
        for n_in, n_out in itertools.pairwise(sizes):
            layers.append(self._linear(n_in, n_out))
            layers.append(act())
            if dropout > 0:
                layers.append(_Dropout(dropout, self.generator))
        layers.append(self._linear(sizes[-1], N_ACTIONS))
        self.net = torch.nn.Sequential(*layers)

    def _linear(self, n_in: int, n_out: int) -> torch.nn.Linear:
        # PyTorch's default initialisation (uniform ±1/√fan_in), drawn from our generator.
        layer = torch.nn.Linear(n_in, n_out)
        bound = 1.0 / math.sqrt(n_in)
        with torch.no_grad():
            layer.weight.uniform_(-bound, bound, generator=self.generator)
            layer.bias.uniform_(-bound, bound, generator=self.generator)
        return layer

    def forward(self, obs: torch.Tensor, masks: Sequence[torch.Tensor] | None = None
                ) -> torch.Tensor:
        """Action logits, shape (..., 2).

        ``masks`` (one keep-mask per dropout layer, as ``prob_right_and_masks`` returns)
        replays the dropout of an earlier pass, so log π(a|s) is that of the very network
        that sampled a; without them each dropout layer draws a fresh mask.
        """
        if masks is None:
            return self.net(obs)
        pending = iter(masks)
        x = obs
        for layer in self.net:
            x = layer(x, next(pending)) if isinstance(layer, _Dropout) else layer(x)
        return x

    def prob_right_and_masks(self, obs: np.ndarray
                             ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """π(push right | s) for a batch of observations, without building a graph, and the
        dropout keep-masks that pass used (one bool array (batch, units) per dropout layer;
        none without active dropout).

        The rollout calls this once per environment step, so it skips the module machinery
        and applies the layers directly (same arithmetic as ``forward``).
        """
        masks: list[np.ndarray] = []
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32))
            for layer in self.net:
                if isinstance(layer, torch.nn.Linear):
                    x = torch.nn.functional.linear(x, layer.weight, layer.bias)
                elif isinstance(layer, torch.nn.Tanh):
                    x = torch.tanh(x)
                elif isinstance(layer, _Dropout) and self.training and layer.p > 0:
                    keep = layer.draw(x)
                    masks.append(keep.numpy().astype(bool))
                    x = layer(x, keep)
                else:
                    x = layer(x)
            return torch.sigmoid(x[:, 1] - x[:, 0]).numpy(), tuple(masks)

    def prob_right(self, obs: np.ndarray) -> np.ndarray:
        """π(push right | s) for a batch of observations, without building a graph."""
        return self.prob_right_and_masks(obs)[0]

    def parameters_finite(self) -> bool:
        """False if any weight is NaN or infinite."""
        return all(bool(torch.isfinite(p).all()) for p in self.parameters())


class ValueNet(torch.nn.Module):
    """V_w(s): a small MLP from CartPole's 4 observations to one number, the learned baseline
    of REINFORCE with baseline (Sutton & Barto §13.4). Seeded apart from the policy."""

    def __init__(self, hidden: tuple[int, ...], activation: str = "tanh", seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(int(seed) + 7_919)
        act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]
        layers: list[torch.nn.Module] = []
        sizes = (OBS_DIM, *hidden)
        for n_in, n_out in itertools.pairwise(sizes):
            layers += [_seeded_linear(n_in, n_out, generator), act()]
        layers.append(_seeded_linear(sizes[-1], 1, generator))
        self.net = torch.nn.Sequential(*layers)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """V(s), shape (...,)."""
        return self.net(obs).squeeze(-1)


def _seeded_linear(n_in: int, n_out: int, generator: torch.Generator) -> torch.nn.Linear:
    layer = torch.nn.Linear(n_in, n_out)
    bound = 1.0 / math.sqrt(n_in)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer
