"""`embkit align` and `embkit shift` through the command line (CliRunner, in a temporary directory)."""
import json
import os
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import embkit
from embkit_cli.main import cli


@pytest.fixture
def here(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    rng = np.random.default_rng(5)
    topics = [["king", "queen", "crown", "palace", "royal", "court"], ["river", "water", "boat", "fish", "bank"]]
    for name, extra in (("old.txt", ["thee"]), ("new.txt", ["money"])):
        lines = [" ".join(rng.choice(topics[rng.integers(2)] + extra, size=7)) for _ in range(250)]
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    yield tmp_path
    os.chdir(old)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


TRAIN = ["--dim", "8", "--min-count", "3", "--epochs", "1", "--threads", "1", "--sample", "0"]


def test_align_then_shift(here):
    r = run("align", "old.txt", "new.txt", *TRAIN)
    assert r.exit_code == 0, r.output
    assert "wrote aligned/: compass.embkit, old.embkit, new.embkit and manifest.json (cade" in r.output
    assert sorted(os.listdir("aligned")) == ["compass.embkit", "manifest.json", "new.embkit", "old.embkit"]
    assert len(embkit.load("aligned/old.embkit")) == 12 and "thee" not in embkit.load("aligned/new.embkit")

    r = run("shift", "--top", "3", "--min-count", "5", "--k", "3")      # DIR defaults to ./aligned
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("old -> new: 11 words occurring at least 5 times in both")
    assert lines[1] == "most shifted" and "most stable" in lines
    r = run("shift", "aligned", "--json", "--words", "king,water")
    report = json.loads(r.output)
    assert [w["word"] for w in report["pairs"][0]["words"]] == ["king", "water"]
    assert report["slices"] == ["old", "new"] and report["method"] == "cade"
    r = run("shift", "aligned", "--words", "thee")
    assert r.exit_code == 1 and "not in slice 'new'" in r.output


def test_align_options_and_usage_errors(here):
    r = run("align", "old.txt", *TRAIN)
    assert r.exit_code == 2 and "at least two corpora" in r.output
    r = run("align", "old.txt", "new.txt", "--names", "a", *TRAIN)
    assert r.exit_code == 2 and "1 names for 2 corpora" in r.output
    r = run("align", "old.txt", "old.txt", *TRAIN)
    assert r.exit_code == 2 and "two slices would be named 'old'" in r.output
    r = run("align", "old.txt", "new.txt", "--slice-epochs", "-1", *TRAIN)
    assert r.exit_code == 2
    r = run("align", "old.txt", "new.txt", "--model", "glove", *TRAIN)            # not an aligned model
    assert r.exit_code == 2
    r = run("-q", "align", "old.txt", "new.txt", "--names", "1800s,1900s", "--method", "procrustes",
            "--anchor-min-count", "5", "--format", "word2vec", "-o", "runs", *TRAIN)
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir("runs")) == ["1800s.vec", "1900s.vec", "manifest.json"]
    manifest = json.loads(open("runs/manifest.json").read())
    assert manifest["method"] == "procrustes" and manifest["compass"] is None
    assert manifest["slices"][1]["anchors"] == 11 and manifest["settings"]["anchor_min_count"] == 5
    r = run("shift", "runs", "--min-count", "5")      # .vec slices hold no counts: said, not silently ignored
    assert r.exit_code == 0
    assert "warning: slices 1800s, 1900s carry no word counts (word2vec .vec/.bin files store none): " \
           "--min-count 5 cannot apply there" in r.stderr
    assert r.stdout.startswith("1800s -> 1900s: 11 words in both (no count filter: 1800s and 1900s carry no counts)")
    r = run("shift", "nowhere")
    assert r.exit_code == 1 and "nowhere: no such directory" in r.output
    os.chdir("runs")
    r = run("shift")
    assert r.exit_code == 2 and "no DIR given and no ./aligned" in r.output


def test_skip_existing_continues_a_run(here):
    assert run("-q", "align", "old.txt", "new.txt", *TRAIN).exit_code == 0
    before = {n: os.stat(f"aligned/{n}/vectors.npy").st_mtime_ns for n in ("compass.embkit", "old.embkit")}
    os.rename("aligned/new.embkit", "lost.embkit")
    r = run("align", "old.txt", "new.txt", "--skip-existing", *TRAIN)
    assert r.exit_code == 0, r.output
    assert "reusing the compass aligned/compass.embkit" in r.output
    assert {n: os.stat(f"aligned/{n}/vectors.npy").st_mtime_ns for n in before} == before
    np.testing.assert_array_equal(embkit.load("aligned/new.embkit").vectors, embkit.load("lost.embkit").vectors)


def test_plot_writes_figures_or_says_what_to_install(here, monkeypatch):
    assert run("-q", "align", "old.txt", "new.txt", *TRAIN).exit_code == 0
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = run("shift", "--plot", "fig", "--min-count", "5")
    assert r.exit_code == 1
    assert r.output.strip() == "embkit: error: plots need matplotlib: pip install 'embkit[plot]' (or pip install " \
                               "matplotlib)"
    monkeypatch.delitem(sys.modules, "matplotlib")
    pytest.importorskip("matplotlib")
    r = run("shift", "--plot", "fig", "--min-count", "5", "--words", "king,water")
    assert r.exit_code == 0, r.output
    for name in ("fig-old-new.png", "fig-king.png", "fig-water.png"):
        assert open(name, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
