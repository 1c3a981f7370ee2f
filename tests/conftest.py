"""Shared test settings: Hypothesis judges correctness, never speed (a loaded CI machine must not
turn a slow example into a failure; speed is measured in benchmarks/)."""

from hypothesis import settings

settings.register_profile("workflow", deadline=None)
settings.load_profile("workflow")
