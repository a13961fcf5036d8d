"""Insights data engine (see the module docstring once complete)."""
