"""Helpers shared by the format tests."""
from pathlib import Path

import pytest

from embkit import io
from embkit.exceptions import FormatError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name):
    return str(FIXTURES / "vectors" / name)


def write(path, text):
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def load_error(path, **kwargs):
    with pytest.raises(FormatError) as info:
        io.load(path, **kwargs)
    return info.value
