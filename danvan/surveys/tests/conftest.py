"""Fixtures for the survey tests: see fixtures.py (shared by every survey test module)."""

from .fixtures import *  # noqa: F403
