"""Seeded synthetic data. Never real people: every name, number and text here is made up and bland."""
