"""The slippery gridworld of the trajectories page, one topic in four modules:

- :mod:`core.gridworld.world`: the world known exactly: layout, dynamics P, J(θ) and ∇J(θ) two
  independent ways (Bellman + autograd, the policy gradient theorem), log p(τ) term by term.
- :mod:`core.gridworld.env`: the same world as an ordinary ``gymnasium.Env`` (it simulates the
  slip and never reads P).
- :mod:`core.gridworld.reinforce`: the learner's REINFORCE code (``env.reset``/``env.step``
  only), intervals of its estimate, and training by exact ascent and by REINFORCE.
- :mod:`core.gridworld.lab`: what the trajectories page shows, computed from the three above.
"""
