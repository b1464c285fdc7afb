import logging
import os
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


@pytest.fixture(autouse=True)
def _restored_logger():
    """The ``embkit`` logger's level and handlers as they were: a CLI run (-q, --log-level) sets them."""
    logger = logging.getLogger("embkit")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture
def shared_data():
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED


def run_cli(args, cwd):
    """``embkit ARGS`` through click's runner, with ``cwd`` as the current directory (exceptions not caught)."""
    from click.testing import CliRunner

    from embkit_cli.main import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)
