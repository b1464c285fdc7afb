"""`embkit cooccur` and `embkit train --model glove|ppmi-svd` (options, defaults per model, errors, checkpoints)."""
import json
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from click.testing import CliRunner

import embkit
from embkit.corpus import _counting, _runs
from embkit_cli.main import Terminated, cli

TEXT = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 10


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cooccur_writes_counts_scipy_reads(corpus, tmp_path):
    out = tmp_path / "counts.npz"
    r = run("cooccur", corpus, "-o", out, "--window", "3", "--weighting", "uniform", "--context", "left",
            "--min-count", "1", "--dtype", "float32", "-q")
    assert r.exit_code == 0, r.output
    m = scipy.sparse.load_npz(out)
    expected = embkit.cooccur(str(corpus), window=3, weighting="uniform", context="left", min_count=1,
                              progress=False).matrix
    assert m.dtype == np.float32 and (m != expected.astype(np.float32)).nnz == 0
    settings = json.loads(str(np.load(out)["settings"]))
    assert settings["context"] == "left" and settings["window"] == 3


@pytest.mark.parametrize("args, message", [
    (["--weighting", "gauss"], "'gauss' is not one of 'harmonic', 'uniform', 'dynamic'"),
    (["--window", "0"], "0 is not in the range 1<=x<=2147483647"),
    (["-o", "-"], "not written to standard output"),
])
def test_cooccur_usage_errors(corpus, args, message):
    r = run("cooccur", corpus, *(args if "-o" in args else ["-o", "x.npz", *args]))
    assert r.exit_code == 2 and message in r.output, r.output


def test_cooccur_refuses_to_overwrite_its_input(corpus):
    r = run("cooccur", corpus, "-o", corpus)
    assert r.exit_code == 1 and "is also an input" in r.output


def test_cooccur_terminated_midway_removes_its_spilled_runs(corpus, tmp_path, monkeypatch):
    real_add = _runs.Runs.add

    def add_then_terminate(self, *args):
        real_add(self, *args[:-1], True)
        raise Terminated(15)
    monkeypatch.setattr(_runs.Runs, "add", add_then_terminate)
    monkeypatch.setattr(_counting, "BUFFER_ENTRIES", 1)
    spill = tmp_path / "spill"
    r = run("cooccur", corpus, "-o", tmp_path / "counts.npz", "--min-count", "1", "--tmp-dir", spill)
    assert r.exit_code == 143 and "terminated" in r.output
    assert not spill.exists() and not (tmp_path / "counts.npz").exists()      # created for the run, removed


def test_train_glove_with_its_own_defaults(corpus, tmp_path):
    out = tmp_path / "g.embkit"
    r = run("train", corpus, "--model", "glove", "--min-count", "1", "--dim", "8", "--epochs", "3", "--threads", "1",
            "-o", out, "--quiet")
    assert r.exit_code == 0, r.output
    meta = json.loads((out / "meta.json").read_text())
    p = meta["params"]
    assert (p["window"], p["weighting"], p["alpha"], p["x_max"], p["weight_exponent"], p["vectors"]) == (
        10, "harmonic", 0.05, 100.0, 0.75, "w+c")
    assert [e["epoch"] for e in meta["training"]["epochs"]] == [1, 2, 3] and "cost" in meta["training"]["epochs"][0]
    kv = embkit.load(out)
    assert kv.counts is not None and kv.counts[0] == 10 * 4     # 'the', and the counts are kept


def test_train_ppmi_svd_with_its_own_defaults_and_given_options(corpus, tmp_path):
    out = tmp_path / "p.vec"
    r = run("train", corpus, "--model", "ppmi-svd", "--min-count", "1", "--dim", "4", "--negative", "2", "-o", out,
            "--quiet")
    assert r.exit_code == 0, r.output
    kv = embkit.load(out)
    assert kv.vectors.shape == (9, 4)
    model = embkit.PPMISVD(dim=4, negative=2, min_count=1, progress=False).fit(str(corpus))
    np.testing.assert_allclose(kv.vectors, model.wv.vectors, atol=1e-5)
    assert model.wv.meta["params"]["window"] == 2 and model.wv.meta["params"]["cds"] == 0.75


@pytest.mark.parametrize("args, message", [
    (["--model", "glove", "--min-alpha", "0.001"], "--min-alpha does not apply to --model glove; GloVe's AdaGrad"),
    (["--model", "glove", "--negative", "3"], "--negative does not apply to --model glove"),
    (["--model", "ppmi-svd", "--x-max", "10"], "--x-max does not apply to --model ppmi-svd"),
    (["--model", "ppmi-svd", "--checkpoint-every", "1"], "--checkpoint-every does not apply to --model ppmi-svd"),
    (["--model", "ppmi-svd", "--resume", "x.checkpoint"], "--resume applies to --model glove only"),
    (["--model", "sgns", "--cds", "0.5"], "--cds applies to --model glove or ppmi-svd, not sgns"),
    (["--model", "cbow", "--cooccur", "x.npz"], "--cooccur applies to --model glove or ppmi-svd, not cbow"),
    (["--model", "glove", "--eig", "0.5"], "--eig does not apply to --model glove"),
    (["--model", "ppmi-svd", "--eig", "3"], "3.0 is not in the range 0.0<=x<=1.0"),
    (["--model", "glove", "--x-max", "0"], "0.0 is not in the range 0.0<x<="),
])
def test_options_that_do_not_apply_are_usage_errors(corpus, args, message):
    r = run("train", corpus, "-o", "x.vec", *args)
    assert r.exit_code == 2 and message in r.output, r.output


def test_train_from_saved_counts_needs_no_corpus(corpus, tmp_path):
    counts = tmp_path / "counts.npz"
    assert run("cooccur", corpus, "-o", counts, "--min-count", "1", "-q").exit_code == 0
    r = run("train", "--cooccur", counts, "--model", "glove", "--dim", "4", "--epochs", "2", "--threads", "1",
            "-o", tmp_path / "g.vec", "--quiet")
    assert r.exit_code == 0, r.output
    direct = embkit.GloVe(dim=4, epochs=2, threads=1, min_count=1, progress=False).fit(str(corpus))
    np.testing.assert_array_equal(embkit.load(tmp_path / "g.vec").vectors, direct.wv.vectors)
    r = run("train", "--cooccur", counts, "--model", "glove", "--window", "3", "-o", tmp_path / "h.vec")
    assert r.exit_code == 2 and "window=3 (the counts have 10)" in r.output
    r = run("train", corpus, "--cooccur", counts, "--model", "glove")
    assert r.exit_code == 2 and "give a CORPUS or --cooccur" in r.output
    r = run("train", "--model", "ppmi-svd")
    assert r.exit_code == 2 and "give a CORPUS or --cooccur" in r.output
    r = run("train")
    assert r.exit_code == 2 and "Missing argument 'CORPUS...'" in r.output


def test_bad_counts_file_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, indices=np.array([0], np.int32), indptr=np.array([0, 1, 1], np.int32), shape=np.array([2, 2]),
             data=np.array([1.0]), vocab=np.array("a\nb\nc"), counts=np.array([1, 1, 1]), format=np.array(b"csr"))
    r = run("train", "--cooccur", bad, "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "vocabulary has 3 words" in r.output, r.output


def test_glove_checkpoint_and_resume_from_the_command_line(corpus, tmp_path):
    out = tmp_path / "g.vec"
    args = ["train", corpus, "--model", "glove", "--min-count", "1", "--dim", "4", "--threads", "1", "--quiet"]
    assert run(*args, "--epochs", "2", "--checkpoint-every", "1", "-o", out).exit_code == 0
    assert Path(f"{out}.checkpoint").is_file()
    r = run(*args, "--epochs", "4", "--resume", f"{out}.checkpoint", "-o", tmp_path / "resumed.vec")
    assert r.exit_code == 0, r.output
    assert run(*args, "--epochs", "4", "-o", tmp_path / "whole.vec").exit_code == 0
    assert (tmp_path / "resumed.vec").read_bytes() == (tmp_path / "whole.vec").read_bytes()
    os.remove(f"{out}.checkpoint")


@pytest.mark.parametrize("damage", ["truncated", "bit flip"])
def test_damaged_counts_and_checkpoints_are_one_line_errors(corpus, tmp_path, damage):
    """A truncated or corrupted .npz (counts, GloVe checkpoint) is a one-line error naming it, not a traceback."""
    counts = tmp_path / "counts.npz"
    assert run("cooccur", corpus, "-o", counts, "--min-count", "1", "-q").exit_code == 0
    raw = counts.read_bytes()
    if damage == "truncated":
        bad = raw[:len(raw) // 2]
    else:                                     # a flipped byte inside a member's data: its CRC no longer matches
        bad = bytearray(raw)
        bad[len(raw) // 3] ^= 0xFF
        bad = bytes(bad)
    (tmp_path / "bad.npz").write_bytes(bad)
    r = run("train", "--cooccur", tmp_path / "bad.npz", "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("embkit: error: ") and "bad.npz" in r.output and "Traceback" not in r.output
    with pytest.raises(embkit.EmbkitError, match="bad.npz"):
        embkit.Cooccurrence.load(tmp_path / "bad.npz")
    from embkit.models.glove import _load_checkpoint
    with pytest.raises(embkit.EmbkitError, match="not a GloVe checkpoint, or a damaged one"):
        _load_checkpoint(tmp_path / "bad.npz", {}, {}, None)
    assert not (tmp_path / "g.vec").exists()


def test_a_missing_tmp_dir_is_refused_not_created(corpus, tmp_path):
    """--tmp-dir: a chain of missing directories is an error before counting; none is left behind."""
    missing = tmp_path / "spill" / "deep"
    r = run("cooccur", corpus, "-o", tmp_path / "c.npz", "--min-count", "1", "--tmp-dir", missing)
    assert r.exit_code == 1 and r.output.count("\n") == 1
    assert f"{missing}: its directory {missing.parent} does not exist (--tmp-dir" in r.output
    assert not (tmp_path / "spill").exists() and not (tmp_path / "c.npz").exists()
    # one missing level is created for the run and removed again when left empty
    r = run("cooccur", corpus, "-o", tmp_path / "c.npz", "--min-count", "1", "--tmp-dir", tmp_path / "spill",
            "--max-memory", "1G", "-q")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "spill").exists() and (tmp_path / "c.npz").exists()
    r = run("cooccur", corpus, "-o", tmp_path / "d.npz", "--min-count", "1", "--tmp-dir", tmp_path / "c.npz")
    assert r.exit_code == 1 and "c.npz: not a directory (--tmp-dir" in r.output


def test_cooccur_joins_terms_as_train_does(tmp_path):
    """cooccur --terms (and --phrases): term vectors get counts, so analyze --cooccur covers them."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("new york is big\nin new york today\n" * 5)
    (tmp_path / "t.txt").write_text("new york\n")
    r = run("cooccur", corpus, "--terms", tmp_path / "t.txt", "--min-count", "1", "--window", "1",
            "-o", tmp_path / "c.npz", "-q")
    assert r.exit_code == 0, r.output
    counts = embkit.Cooccurrence.load(tmp_path / "c.npz")
    assert "new_york" in counts.vocab and "york" not in counts.vocab
    i, j = counts.vocab["new_york"], counts.vocab["is"]
    assert counts.matrix[i, j] == 5 and counts.matrix[j, i] == 5           # window 1, harmonic weight 1
    r = run("cooccur", corpus, "--terms", tmp_path / "t.txt", "-o", tmp_path / "t.txt")
    assert r.exit_code == 1 and "is also an input" in r.output


def test_terms_given_with_counts_must_be_those_the_counts_joined(tmp_path):
    """train --cooccur: --terms/--phrases that the counts did not join are usage errors; the counts' terms are
    recorded in the model."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("new york is big\nin new york today\n" * 5)
    (tmp_path / "t.txt").write_text("new york\n")
    assert run("cooccur", corpus, "--terms", tmp_path / "t.txt", "--min-count", "1", "-o", tmp_path / "c.npz",
               "-q").exit_code == 0
    r = run("train", "--cooccur", tmp_path / "c.npz", "--model", "glove", "--terms", tmp_path / "nothere.txt",
            "-o", tmp_path / "g.vec")
    assert r.exit_code == 2 and "disagree with the given co-occurrence counts" in r.output and "terms=" in r.output
    r = run("train", "--cooccur", tmp_path / "c.npz", "--model", "glove", "--phrases", "auto", "-o", tmp_path / "g.vec")
    assert r.exit_code == 2 and "phrases='auto' (the counts have None)" in r.output
    r = run("train", "--cooccur", tmp_path / "c.npz", "--model", "glove", "--dim", "4", "--epochs", "1",
            "-o", tmp_path / "g.embkit", "-q")
    assert r.exit_code == 0, r.output
    assert embkit.load(tmp_path / "g.embkit").meta["params"]["terms"] == str(tmp_path / "t.txt")


def test_a_pickled_npz_is_refused_without_numpys_advice_to_unpickle(tmp_path):
    """An .npz holding objects: the error says embkit never loads pickles, not NumPy's allow_pickle hint."""
    bad = tmp_path / "obj.npz"
    np.savez(bad, indices=np.array([{"x": 1}], dtype=object))
    r = run("train", "--cooccur", bad, "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and "holds pickled Python objects, which embkit never loads" in r.output
    assert "allow_pickle" not in r.output


def test_a_text_file_given_as_counts_is_not_called_a_pickle(tmp_path):
    """NumPy calls any non-zip file 'pickled data'; a text or gzip file is described by its first bytes."""
    vec = tmp_path / "v.vec"
    vec.write_text("2 2\na 1 2\nb 3 4\n")
    r = run("train", "--cooccur", vec, "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and "not a NumPy .npz archive: it starts with b'2 2\\na 1 '" in r.output
    assert "pickle" not in r.output
    empty = tmp_path / "e.npz"
    empty.write_bytes(b"")
    r = run("train", "--cooccur", empty, "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and "pickle" not in r.output


def test_an_npy_array_given_as_counts_or_checkpoint_is_one_line(tmp_path):
    """np.load returns an array for .npy data (whatever the name): not a traceback about context managers."""
    arr = tmp_path / "arr.npz"
    with open(arr, "wb") as f:
        np.save(f, np.arange(4))
    r = run("train", "--cooccur", arr, "--model", "glove", "-o", tmp_path / "g.vec")
    assert r.exit_code == 1 and "a NumPy .npy array, not an .npz archive" in r.output
    assert "Traceback" not in r.output and "context manager" not in r.output
    from embkit.corpus.cooccur import Cooccurrence
    with pytest.raises(embkit.EmbkitError, match="not a counts .npz file"):
        Cooccurrence.load(arr)
