from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test encodes corpora into its own cache, never the user's."""
    cache = tmp_path_factory.mktemp("embkit-cache")
    monkeypatch.setenv("EMBKIT_CACHE", str(cache))


@pytest.fixture
def shared_data():
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED
