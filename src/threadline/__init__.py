"""Threadline: find, protect and count child victims of trafficking and sexual exploitation."""

__version__ = "0.1.0"
