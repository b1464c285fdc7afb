"""corpus subpackage."""
