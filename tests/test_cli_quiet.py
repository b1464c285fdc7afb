"""stdout carries only results; status lines go to stderr, silenced by -q/--quiet or --log-level: every command."""
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli as invoke

from embkit_cli.main import cli

EVAL = Path(__file__).parent / "fixtures" / "eval"
CORPUS = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 20

# every command, with arguments that succeed without a warning; the status lines each prints without -q
COMMANDS = {
    "train": (["train", "c.txt", "--min-count", "1", "--epochs", "1", "--dim", "4", "--threads", "1", "--sample", "0",
               "-o", "out.embkit"], ["wrote out.embkit: 9 words x 4, sgns, 1 epoch over"]),
    "vocab": (["vocab", "c.txt", "--min-count", "1", "-o", "v.tsv"], ["wrote v.tsv: 9 words"]),
    "warmup": (["warmup"], ["kernels "]),
    "neighbors": (["neighbors", "cat", "--topn", "2"], ["using model m.embkit"]),
    "analogy": (["analogy", "m.embkit", "cat", "dog", "mat", "--topn", "2"], []),
    "info": (["info"], ["using model m.embkit"]),
    "convert": (["convert", "m.embkit", "m.vec"], ["wrote m.vec: 9 words, dim 4, format word2vec"]),
    "eval analogies": (["eval", "analogies", str(EVAL / "analogy.vec"), "--dataset", str(EVAL / "questions.txt")],
                       []),
    "eval similarity": (["eval", "similarity", str(EVAL / "sim.vec"), "--dataset", str(EVAL / "pairs_tab.txt")],
                        []),
    "eval all": (["eval", "all"], ["using model m.embkit"]),
    "phrases": (["phrases", "c.txt", "--min-count", "2", "-o", "p.tsv"], ["wrote p.tsv: "]),
    "eval phrases": (["eval", "phrases", str(EVAL.parent / "terms" / "phrases.tsv"), "--gold",
                      str(EVAL.parent / "terms" / "gold.txt")], []),
    "cache info": (["cache", "info"], []),
    "cache clear": (["cache", "clear"], ["removed "]),
    "align": (["align", "c.txt", "d.txt", "--min-count", "1", "--dim", "4", "--epochs", "1", "--threads", "1",
               "--sample", "0", "-o", "al2"], ["compass: 9 words over 2 slices (680 tokens), 1 epoch\n", "wrote al2/"]),
    "shift": (["shift", "al", "--min-count", "1"], []),
    "cooccur": (["cooccur", "c.txt", "--min-count", "1", "-o", "cc.npz"], ["wrote cc.npz"]),
    "train glove": (["train", "c.txt", "--model", "glove", "--min-count", "1", "--epochs", "1", "--dim", "4",
                     "--threads", "1", "-o", "g.vec"], ["wrote g.vec: 9 words x 4, glove"]),
    "train ppmi-svd": (["train", "c.txt", "--model", "ppmi-svd", "--min-count", "1", "--dim", "2", "-o", "p.vec"],
                       ["wrote p.vec: 9 words x 2, ppmi-svd"]),
    "vectors": (["vectors", "m.embkit", "cat", "dog"], []),
    "whiten": (["whiten", "m.embkit", "-o", "w.embkit"], ["wrote w.embkit: 9 words x 4, zipfian"]),
    "analyze": (["analyze", "m.embkit"], []),
    "eval sts": (["eval", "sts", "m.embkit"], []),
    "retrofit": (["retrofit", "m.embkit", "--lexicon", "lex.txt", "-o", "r.embkit"],
                 ["words: 9 in the vectors, 3 in the lexicon, 3 in both; 1 retrofitted", "wrote r.embkit"]),
}


def _leaf_commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _leaf_commands(cmd, prefix + (name,))
        else:
            yield " ".join(prefix + (name,))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("quiet")
    (d / "c.txt").write_text(CORPUS)
    (d / "d.txt").write_text(CORPUS.replace("cat", "dog"))
    (d / "lex.txt").write_text("cat dog mat\n")
    old = os.getcwd()
    os.chdir(d)
    try:
        r = CliRunner().invoke(cli, ["-q", "train", "c.txt", "--min-count", "1", "--epochs", "1", "--dim", "4",
                                     "--threads", "1", "--sample", "0", "--no-cache", "-o", "m.embkit"])
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(cli, ["-q", "align", "c.txt", "d.txt", "--min-count", "1", "--epochs", "1", "--dim",
                                     "4", "--threads", "1", "--sample", "0", "--no-cache", "-o", "al"])
        assert r.exit_code == 0, r.output
    finally:
        os.chdir(old)
    return d



def test_every_command_is_covered():
    assert sorted(_leaf_commands(cli)) == sorted(n for n in COMMANDS if not n.startswith("train "))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_quiet_leaves_stderr_empty_and_stdout_unchanged(name, workdir, tmp_path):
    args, statuses = COMMANDS[name]
    cwd = tmp_path / "w"
    shutil.copytree(workdir, cwd)
    loud = invoke(args, cwd)
    assert loud.exit_code == 0, loud.output
    for status in statuses:
        assert status in loud.stderr and status not in loud.stdout, (loud.stdout, loud.stderr)
    if name in ("train", "vocab", "warmup", "convert", "cache clear"):
        assert loud.stdout == ""                          # these print no result, only status lines
    for quiet in (["-q"] + args, args + ["-q"], ["--quiet"] + args, args + ["--quiet"],
                  ["--log-level", "WARNING"] + args, args + ["--log-level", "warning"]):
        if name == "align":                              # into a fresh directory: an existing one is warned of
            shutil.rmtree(cwd / "al2")
        r = invoke(quiet, cwd)
        assert r.exit_code == 0, r.output
        assert r.stderr == "", (quiet, r.stderr)
        assert r.stdout == loud.stdout, quiet


def test_train_without_quiet_shows_its_epochs_and_log_level_error_hides_warnings(workdir, tmp_path):
    cwd = tmp_path / "w"
    shutil.copytree(workdir, cwd)
    args = ["train", "c.txt", "--min-count", "1", "--epochs", "2", "--dim", "4", "--threads", "1", "--sample", "0"]
    r = invoke(args, cwd)
    assert r.exit_code == 0 and "epoch 2/2: loss" in r.stderr and r.stdout == ""
    r = invoke(args + ["-q"], cwd)                          # c.embkit exists now: the warning shows with -q too
    assert r.exit_code == 0 and r.stderr.startswith("warning: c.embkit exists and will be replaced")
    assert "epoch" not in r.stderr
    for level in (["--log-level", "ERROR"] + args, args + ["--log-level", "error"]):
        r = invoke(level, cwd)
        assert r.exit_code == 0 and r.stderr == "" and r.stdout == "", r.output


def test_train_has_no_quiet_of_its_own():
    (quiet,) = [p for p in cli.commands["train"].params if p.name == "quiet"]
    assert quiet.expose_value is False and "no status lines" in quiet.help     # the shared option
