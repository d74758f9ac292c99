"""Slow, obviously-correct reference implementations used only by the tests."""
