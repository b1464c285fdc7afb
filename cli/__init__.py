"""Command-line front end of embkit (installed as the ``embkit`` command)."""
