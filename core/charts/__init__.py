"""Plotly figure builders: pure functions that return ``go.Figure``."""
