"""`embkit train`: replacing the default output, the summary line, warnings phrased for the caller."""
import json
import logging
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from conftest import run_cli as run

import embkit
from embkit_cli import commands_train
from embkit_cli.main import cli

B17 = FIXTURES / "corpus" / "b17_corpus.txt"
TRAIN = ["--min-count", "1", "--epochs", "1", "--dim", "4", "--threads", "1", "--sample", "0"]



def test_replacing_the_default_output_warns_with_what_it_held(tmp_path):
    (tmp_path / "austen.txt").write_text("a b c a b\nb c a\n" * 5)
    (tmp_path / "brown.txt").write_text("x y z x y\n" * 5)
    first = run(["train", "austen.txt"] + TRAIN, tmp_path)
    assert first.exit_code == 0 and "warning" not in first.stderr, first.output
    r = run(["-q", "train", "brown.txt", "austen.txt", "--model", "cbow"] + TRAIN, tmp_path)   # default: brown.embkit
    assert r.exit_code == 0 and r.stderr == "", r.output
    r = run(["train", "brown.txt", "--model", "cbow", "-q"] + TRAIN, tmp_path)
    assert r.exit_code == 0, r.output
    src = [str(tmp_path / "brown.txt"), str(tmp_path / "austen.txt")]
    assert r.stderr == (f"warning: brown.embkit exists and will be replaced (cbow model trained on {src[0]}, "
                        f"{src[1]}); give -o NAME to keep it\n")
    meta = json.loads((tmp_path / "brown.embkit" / "meta.json").read_text())
    assert [s["path"] for s in meta["corpus"]["sources"]] == src[:1]          # replaced
    # an explicit -o replaces without a word; a default output that is no model is named as what it is
    r = run(["train", "austen.txt", "-o", "brown.embkit", "-q"] + TRAIN, tmp_path)
    assert r.exit_code == 0 and r.stderr == ""
    (tmp_path / "austen.vec").write_text("not vectors\n")
    r = run(["train", "austen.txt", "--format", "word2vec", "-q"] + TRAIN, tmp_path)
    assert r.exit_code == 0 and r.stderr == ("warning: austen.vec exists and will be replaced (a file); give -o "
                                             "NAME to keep it\n")


def test_train_help_says_that_the_default_output_is_replaced():
    text = " ".join(CliRunner().invoke(cli, ["train", "--help"]).stdout.split())
    assert "when the default name exists, a warning (shown with -q too) says what it held" in text
    assert "--quiet" in text


class _Vectors(list):
    """Three words and a training record, as a fitted estimator's ``wv``."""

    def __init__(self, training):
        super().__init__("abc")
        self.meta = {"training": training}


@pytest.mark.parametrize("epochs, compiled, expected", [
    (1, False, "wrote o.embkit: 3 words x 8, sgns, 1 epoch over 1000 tokens in 12.3 s (1.53M words/s of training), "
               "final loss 2.5000/example"),
    (5, True, "wrote o.embkit: 3 words x 8, sgns, 5 epochs over 1000 tokens in 12.3 s (1.53M words/s of training), "
              "final loss 2.5000/example; compiling the kernels took 9.9 s (once: Numba caches them)"),
    (0, False, "wrote o.embkit: 3 words x 8, sgns, 0 epochs over 1000 tokens in 12.3 s"),
])
def test_summary_line(epochs, compiled, expected):
    training = {"epochs": [{"loss_mean": 2.5}] * epochs, "seconds": 12.34, "kernel_load_seconds": 9.87,
                "kernels_compiled": compiled, "words_per_second": 1.53e6 if epochs else None}
    est = SimpleNamespace(wv=_Vectors(training), epochs=epochs, dim=8, model_name="sgns",
                          corpus_=SimpleNamespace(raw_tokens=1000))
    assert commands_train.summary("o.embkit", est) == expected


def test_one_token_sentences_give_one_warning_per_fit_in_library_terms(caplog):
    with caplog.at_level(logging.WARNING, logger="embkit"):
        embkit.SkipGram(dim=4, epochs=5, min_count=1, threads=1, progress=False).fit([["a"], ["b"], ["a"]] * 10)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["every epoch trained no example: every sentence has a single token, and a word needs "
                        "another in its sentence to train on (is the corpus split into one word per line?)"]


def test_the_subsampling_warning_names_the_parameter_for_the_library_and_the_flag_for_the_cli(caplog, tmp_path):
    # b17: with sample=1e-3 the first two epochs keep no pair of words (seed 1, one thread)
    with caplog.at_level(logging.WARNING, logger="embkit"):
        embkit.SkipGram(min_count=1, epochs=3, threads=1, progress=False).fit(str(B17))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["2 of 3 epochs trained no example: subsampling left no sentence with two words (corpus too "
                        "small for sample=0.001? try sample=0)"]
    r = run(["train", str(B17), "--min-count", "1", "--epochs", "3", "--threads", "1", "-o", "o.embkit"], tmp_path)
    assert r.exit_code == 0
    assert [line for line in r.stderr.splitlines() if line.startswith("warning")] == [
        "warning: 2 of 3 epochs trained no example: subsampling left no sentence with two words (corpus too small "
        "for --sample 0.001? try --sample 0)"]


def test_epochs_zero_warning_on_the_command_line(tmp_path):
    (tmp_path / "c.txt").write_text("a b c a b\n" * 5)
    r = run(["train", "c.txt", "--min-count", "1", "--epochs", "0", "-q"], tmp_path)
    assert r.exit_code == 0
    assert r.stderr == "warning: --epochs 0: nothing is trained; the vectors are the random initial ones\n"


@pytest.mark.slow
def test_the_first_compilation_is_announced_once_and_left_out_of_the_speed(tmp_path):
    # an empty Numba cache: the kernels compile in the first run and load from the cache in the second
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    (tmp_path / "c.txt").write_text("a b c d a b\nc d a b\n" * 50)
    runs = []
    for out in ("first.embkit", "second.embkit"):
        proc = subprocess.run([sys.executable, "-m", "embkit_cli.main", "train", "c.txt", *TRAIN, "-o", out],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        runs.append((proc.stderr, json.loads((tmp_path / out / "meta.json").read_text())["training"]))
    (err1, t1), (err2, t2) = runs
    notice = "compiling the training kernels (first use, about 10 s; Numba caches them on disk"
    assert err1.count(notice) == 1 and notice not in err2
    assert err1.index(notice) < err1.index("epoch 1/1")                   # said before the time it takes
    assert t1["kernels_compiled"] is True and t2["kernels_compiled"] is False
    assert 0 < t1["kernel_load_seconds"] < t1["seconds"] and t1["loop_seconds"] < t1["seconds"]
    assert f"compiling the kernels took {t1['kernel_load_seconds']:.1f} s" in err1.splitlines()[-1]
    assert "compiling the kernels took" not in err2
