"""Command outputs: checked before the work against pipes, directories, missing directories and every file the
command reads (options included); figures in the format their name gives; hints that follow the command."""
import importlib.util
import os

import numpy as np
import pytest
from conftest import run_cli

from embkit import KeyedVectors
from embkit.models.aligned import new_manifest, write_manifest

TEXT = "new york is big\nthe bank of england\nnew york city\nthe bank of england is old\n" * 5
FORMATS = "native, word2vec, word2vec-bin, fasttext-bin"


def error(result):
    """The one line a failed command printed (exit status 1)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1, result.output
    return lines[0]


def usage_error(result):
    """The last line of a usage error (exit status 2)."""
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()[-1]


def not_regular(name):
    return (f"embkit: error: cannot write {name}: it is not a regular file (a device, pipe or socket), which an "
            "atomic write would replace; write to a file")


def also_input(name):
    return f"embkit: error: the output {name!r} is also an input, or inside one; choose another output name"


@pytest.fixture
def here(tmp_path):
    """A corpus c.txt, a model m.embkit (with counts) and an aligned directory with slices x and y."""
    (tmp_path / "c.txt").write_text(TEXT)
    words = ["new", "york", "bank", "england", "the", "of"]
    rng = np.random.default_rng(0)
    KeyedVectors(words, rng.normal(size=(6, 3)), counts=[9, 8, 7, 6, 5, 4],
                 meta={"params": {"window": 2}}).save(tmp_path / "m.embkit")
    (tmp_path / "aligned").mkdir()
    manifest = new_manifest("cade", "cbow", {})
    for name in ("x", "y"):
        kv = KeyedVectors(words, rng.normal(size=(6, 3)), counts=[9, 8, 7, 6, 5, 4])
        kv.save(tmp_path / "aligned" / f"{name}.embkit")
        manifest["slices"].append({"name": name, "file": f"{name}.embkit"})
    write_manifest(tmp_path / "aligned", manifest)
    return tmp_path


@pytest.fixture
def with_matplotlib(monkeypatch):
    """``--plot`` without matplotlib installed: the outputs are checked before it is imported."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "matplotlib"
                        else real(name, *a))


TRAIN = ["--min-count", "1", "--epochs", "1", "--dim", "4", "-q"]


@pytest.mark.parametrize("args, name", [
    (["train", "c.txt", "--terms", "terms.txt", "-o", "terms.txt", "--format", "word2vec", *TRAIN], "terms.txt"),
    (["train", "c.txt", "--phrases", "ph.tsv", "-o", "ph.tsv", "--format", "word2vec", *TRAIN], "ph.tsv"),
    (["train", "c.txt", "--model", "fasttext", "--terms", "t.vec", "-o", "t.vec", *TRAIN], "t.vec"),
    (["train", "c.txt", "--model", "glove", "--terms", "t.vec", "-o", "t.vec", *TRAIN], "t.vec"),
    (["train", "c.txt", "--model", "ppmi-svd", "--phrases", "p.vec", "-o", "p.vec", "--dim", "2"], "p.vec"),
    (["train", "--model", "glove", "--cooccur", "counts.npz", "-o", "counts.npz", "--format", "word2vec"],
     "counts.npz"),
    (["train", "c.txt", "--model", "glove", "--resume", "ck.vec", "-o", "ck.vec", *TRAIN], "ck.vec"),
    (["phrases", "c.txt", "--connectors", "conn.txt", "-o", "conn.txt"], "conn.txt"),
    (["whiten", "m.embkit", "--freq", "freq.txt", "-o", "freq.txt"], "freq.txt"),
    (["retrofit", "m.embkit", "--lexicon", "lex.txt", "-o", "lex.txt"], "lex.txt"),
    (["analyze", "m.embkit", "--freq", "f.png", "--plot", "f.png"], "f.png"),
    (["analyze", "m.embkit", "--cooccur", "c.png", "--plot", "c.png"], "c.png"),
    (["analyze", "m.embkit", "--corpus", "k.svg", "--plot", "k.svg"], "k.svg"),
    (["analyze", "m.embkit", "--plot", "m.embkit/fig.png"], "m.embkit/fig.png"),
])
def test_a_file_an_option_names_is_an_input_no_output_replaces(here, with_matplotlib, args, name):
    """Only CORPUS/VECS were inputs: -o terms.txt --terms terms.txt overwrote the term list (exit 0)."""
    target = here / name
    if not target.exists():
        target.write_text("new york\tother\n")
    before = target.read_bytes()
    assert error(run_cli(args, here)) == also_input(name)
    assert target.read_bytes() == before


def test_align_counts_its_terms_file_as_an_input(here):
    """align --terms FILE could write a slice over FILE."""
    (here / "out").mkdir()
    (here / "out" / "c.embkit").write_text("new york\n")
    r = run_cli(["align", "c.txt", "c.txt", "--names", "c,d", "--terms", "out/c.embkit", "-o", "out", *TRAIN], here)
    assert error(r) == also_input("out/c.embkit")
    assert (here / "out" / "c.embkit").read_text() == "new york\n"


@pytest.mark.parametrize("args", [
    ["vocab", "c.txt", "-o", "OUT"],
    ["phrases", "c.txt", "-o", "OUT"],
    ["cooccur", "c.txt", "-o", "OUT"],
    ["train", "c.txt", "-o", "OUT", "--format", "word2vec", *TRAIN],
    ["train", "c.txt", "--model", "glove", "-o", "OUT", "--format", "word2vec", *TRAIN],
    ["whiten", "m.embkit", "-o", "OUT.vec"],
    ["retrofit", "m.embkit", "--lexicon", "lex.txt", "-o", "OUT.vec"],
    ["convert", "m.embkit", "OUT.vec"],
    ["analyze", "m.embkit", "--plot", "OUT.png"],
    ["shift", "aligned", "--plot", "OUT", "--min-count", "1"],
])
def test_every_command_refuses_a_pipe_and_leaves_it(here, with_matplotlib, args):
    """analyze --plot FIFO replaced the pipe with a PNG; every writer refuses it before the work."""
    (here / "lex.txt").write_text("new york\n")
    fifo = {"shift": "OUT-x-y.png"}.get(args[0], next(a for a in args if a.startswith("OUT")))
    os.mkfifo(here / fifo)
    assert error(run_cli(args, here)) == not_regular(fifo)
    assert (here / fifo).is_fifo()


def test_glove_checkpoint_is_checked_before_training(here):
    """train --model glove --checkpoint-every wrote <OUT>.checkpoint without any check, over a pipe."""
    os.mkfifo(here / "g.vec.checkpoint")
    r = run_cli(["train", "c.txt", "--model", "glove", "--checkpoint-every", "1", "-o", "g.vec", *TRAIN], here)
    assert error(r) == not_regular("g.vec.checkpoint")
    assert sorted(p.name for p in here.iterdir()) == ["aligned", "c.txt", "g.vec.checkpoint", "m.embkit"]


def test_analyze_checks_the_figure_before_computing(here, with_matplotlib, monkeypatch):
    """analyze --plot DIR failed only after all the computing; --plot /missing/x.png created the directory."""
    import embkit.analysis

    def computed(*args, **kwargs):
        raise AssertionError("analysed before the figure's path was checked")

    monkeypatch.setattr(embkit.analysis, "analyze", computed)
    (here / "d").mkdir()
    assert error(run_cli(["analyze", "m.embkit", "--plot", "d"], here)) == \
        "embkit: error: cannot write a figure to d: it is a directory"
    assert error(run_cli(["analyze", "m.embkit", "--plot", "typo/sub/x.png"], here)) == \
        (f"embkit: error: cannot write typo/sub/x.png: directory {here / 'typo'} does not exist (embkit does not "
         "create it; check the name or create it first)")
    assert not (here / "typo").exists()
    for name in ("out.jpg", "out"):
        assert usage_error(run_cli(["analyze", "m.embkit", "--plot", name], here)) == \
            f"Error: Invalid value for --plot: cannot write a figure to {name}: name it .png, .pdf or .svg " \
            "(the suffix gives the format)"
    assert not (here / "out.jpg").exists() and not (here / "out").exists()


def test_analyze_writes_the_format_the_name_gives(here):
    """analyze --plot out.pdf wrote PNG bytes."""
    pytest.importorskip("matplotlib")
    for name, head in (("a.pdf", b"%PDF"), ("a.svg", b"<?xml"), ("a.png", b"\x89PNG")):
        r = run_cli(["-q", "analyze", "m.embkit", "--plot", name], here)
        assert r.exit_code == 0, r.output
        assert (here / name).read_bytes()[:len(head)] == head


def test_shift_checks_every_figure_before_the_report_and_writes_none_of_a_refused_set(here, monkeypatch):
    """shift --plot PREFIX was not checked: a refused figure was found after the report and others written."""
    import embkit.evaluation.shift as shift

    report = shift.shift_report

    def computed(*args, **kwargs):
        raise AssertionError("reported before the figures' paths were checked")

    monkeypatch.setattr(shift, "shift_report", computed)
    assert error(run_cli(["shift", "aligned", "--plot", "typo/fig", "--min-count", "1"], here)) == \
        (f"embkit: error: cannot write typo/fig-x-y.png: directory {here / 'typo'} does not exist (embkit does not "
         "create it; check the name or create it first)")
    (here / "fig-york.png").mkdir()
    assert error(run_cli(["shift", "aligned", "--plot", "fig", "--words", "new,york", "--min-count", "1"], here)) == \
        "embkit: error: cannot write a figure to fig-york.png: it is a directory"
    assert error(run_cli(["shift", "aligned", "--plot", "aligned/x.embkit/f", "--min-count", "1"], here)) == \
        also_input("aligned/x.embkit/f-x-y.png")
    # the most shifted words are known only after the report: every figure is still checked before any is written
    monkeypatch.setattr(shift, "shift_report", report)
    for word in ("new", "york", "bank", "england", "the", "of"):
        (here / f"fig-{word}.png").mkdir(exist_ok=True)
    r = run_cli(["shift", "aligned", "--plot", "fig", "--min-count", "1", "--top", "2"], here)
    assert r.exit_code == 1 and "embkit: error: cannot write a figure to fig-" in r.stderr
    assert not (here / "fig-x-y.png").exists()


@pytest.mark.parametrize("command, hint", [
    (["phrases", "c.txt"], " (`embkit phrases -o -` writes to standard output)"),
    (["vocab", "c.txt"], " (`embkit vocab -o -` writes to standard output)"),
    (["cooccur", "c.txt"], ""),
    (["train", "c.txt"], ""),
])
def test_the_dev_and_proc_refusal_names_the_commands_own_stdout(here, command, hint):
    """embkit phrases -o /proc/x.tsv answered with `embkit vocab -o -`; train has no -o - at all."""
    name = "/proc/x.vec" if command[0] == "train" else "/proc/x.tsv"
    assert error(run_cli([*command, "-o", name], here)) == \
        f"embkit: error: cannot write {name}: outputs go to files, not to /dev or /proc{hint}"


@pytest.mark.parametrize("command, option", [
    (["whiten", "m.embkit"], ""),
    (["retrofit", "m.embkit", "--lexicon", "lex.txt"], ""),
    (["train", "c.txt"], f", or give --format ({FORMATS})"),
    (["train", "c.txt", "--model", "glove"], f", or give --format ({FORMATS})"),
])
def test_unknown_output_format_hint_follows_the_command(here, command, option):
    """whiten -o out.xyz said 'or name the format', but whiten has no format option."""
    (here / "lex.txt").write_text("new york\n")
    assert error(run_cli([*command, "-o", "out.xyz"], here)) == \
        ("embkit: error: cannot tell the output format from the name 'out.xyz'; use .embkit (native), .vec/.txt "
         f"(word2vec text) or .bin (word2vec binary){option}")
