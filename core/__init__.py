"""Pure-Python logic of Policy Gradient, Seen: math, training and figure builders.

Nothing in this package imports streamlit, so every function here can be tested, benchmarked
and reused from the command line.
"""
