"""The package version, read by setup.cfg and recorded in manifests and meta.json."""
__version__ = "0.1.0"
