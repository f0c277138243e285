"""REINFORCE on gymnasium's CartPole-v1: config and presets, returns and baselines, the policy
network, batched and per-step rollouts, and a trainer that advances in bounded chunks."""
