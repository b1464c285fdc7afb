"""Command-line edge cases: missing output directories, paths with newlines in status lines, unknown words in
`shift`, a directory named like a vectors file, and reused alignment models."""
import pytest
from click.testing import CliRunner

from embkit import io
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

KEYS = ["a", "b", "c", "d", "e"]
VECS = [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0], [0.8, 0.6]]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embkit: error: "), result.stderr
    return lines[0]


@pytest.fixture
def vec_file(tmp_path):
    path = tmp_path / "ok.vec"
    io.save(KeyedVectors(KEYS, VECS), path)
    return path


def test_convert_refuses_a_missing_output_directory(tmp_path, vec_file):
    message = one_line_error(run("convert", vec_file, tmp_path / "nonexistent" / "d" / "x.vec"))
    assert f"directory {tmp_path / 'nonexistent'} does not exist" in message
    assert not (tmp_path / "nonexistent").exists()
