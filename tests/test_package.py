"""Package-level promises: importing compiles nothing, every command has --help with defaults."""
import subprocess
import sys

import pytest
from click.testing import CliRunner

from embkit_cli.main import cli


def test_import_compiles_nothing():
    code = ("import sys, embkit\n"
            "for name in embkit.__all__: getattr(embkit, name)\n"
            "print(sorted(m for m in sys.modules if m.startswith('embkit.kernels') or m == 'numba'))\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=lambda p: " ".join(p))
def test_every_command_has_help(path):
    r = CliRunner().invoke(cli, [*path, "--help"])
    assert r.exit_code == 0 and "Usage: " in r.output
    if path == ("train",):
        text = " ".join(r.output.split())
        assert "[default: 100;" in text and "[default: 0.75;" in text and "[default: sgns]" in text


def test_expected_commands_exist():
    names = {" ".join(p) for p, _ in _commands(cli)}
    assert {"train", "vocab", "warmup", "neighbors", "info", "convert", "eval", "eval analogies",
            "eval similarity", "eval all"} <= names


def test_warmup_command():
    r = CliRunner().invoke(cli, ["warmup"])
    assert r.exit_code == 0 and "compiled" in r.output


def test_unknown_command_is_a_usage_error():
    assert CliRunner().invoke(cli, ["trian"]).exit_code == 2
