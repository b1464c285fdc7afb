import logging

import numpy as np
import pytest

from embkit.vectors import KeyedVectors


@pytest.fixture
def kv():
    vectors = np.array([[0.1, -0.2, 0.3], [1.5e-7, 2.0, -3.25], [123456.78, 0.0, -0.0],
                        [1.0 / 3.0, 2.0 / 3.0, 1e-38], [-1e30, 7.0, 0.5]], dtype=np.float32)
    # non-ASCII spaces (no-break, ideographic) are ordinary characters to every format
    return KeyedVectors(["the", "café", "日本", "a-b", "x\u00a0y\u3000z"], vectors)


@pytest.fixture
def warnings_log(caplog, monkeypatch):
    """caplog with embkit's warnings, even if the CLI stopped them propagating."""
    monkeypatch.setattr(logging.getLogger("embkit"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="embkit.formats")
    return caplog
