"""Tests of embkit.corpus, one module per module of the package."""
