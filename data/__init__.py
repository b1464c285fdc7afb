"""Bundled data (corpus and evaluation sets); see ``data/REGISTRY.json`` for sources and licences."""
