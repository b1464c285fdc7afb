"""``embkit whiten``, ``embkit analyze`` and ``embkit eval sts``: outputs, defaults, one-line errors."""
import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import run_cli

from embkit import KeyedVectors, io
from embkit_cli.main import cli

W3 = [[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def error_line(res):
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("embkit: error: ")
    return lines[0]


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "small.embkit"
    KeyedVectors(["a", "b", "c"], W3, counts=[2, 1, 1], meta={"params": {"window": 1}}).save(path)
    return path


@pytest.fixture
def vec_file(tmp_path):
    path = tmp_path / "small.vec"
    KeyedVectors(["a", "b", "c"], W3).save(path)
    return path


def test_whiten_default_output_in_cwd_keeps_counts(model, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    res = run("whiten", model, "--eps", 0)
    assert res.exit_code == 0, res.output
    assert "wrote small.whiten-zipfian.embkit: 3 words x 2, zipfian" in res.stderr and res.stdout == ""
    out = io.load(work / "small.whiten-zipfian.embkit")
    assert out.counts.tolist() == [2, 1, 1] and out.index_to_key == ["a", "b", "c"]
    # squared norms (w - mu)^T C^-1 (w - mu) = 1, 3, 3 (see tests/postprocess/test_whiten.py)
    np.testing.assert_allclose((out.vectors.astype(float) ** 2).sum(1), [1, 3, 3], rtol=1e-5)
    assert out.meta["postprocess"][-1]["method"] == "zipfian"


def test_whiten_methods_and_output_formats(model, tmp_path):
    res = run("whiten", model, "--method", "abtt", "--remove", 1, "-o", tmp_path / "abtt.vec")
    assert res.exit_code == 0, res.output
    assert "top 1 component(s) removed" in res.stderr
    assert io.load(tmp_path / "abtt.vec").dim == 2
    res = run("whiten", model, "--method", "uniform", "--keep", 1, "-o", tmp_path / "u1.embkit")
    assert res.exit_code == 0 and io.load(tmp_path / "u1.embkit").dim == 1
    res = run("whiten", model, "--method", "center", "-o", tmp_path / "c.embkit")
    np.testing.assert_allclose(io.load(tmp_path / "c.embkit").vectors.mean(0), 0, atol=1e-6)


def test_whiten_min_count(model, tmp_path, vec_file):
    res = run("whiten", model, "--method", "center", "--min-count", 1, "-o", tmp_path / "m1.embkit")
    assert res.exit_code == 0 and "fitted on 3 of the 3 words (seen at least 1 time)" in res.stderr
    assert io.load(tmp_path / "m1.embkit").meta["postprocess"][-1]["fit_words"] == 3
    res = run("whiten", model, "--min-count", 2, "-o", tmp_path / "m2.embkit")   # counts 2, 1, 1
    assert res.exit_code == 1 and "min_count=2 (--min-count) leaves 1 word(s)" in error_line(res)
    assert str(model) in error_line(res)
    assert not (tmp_path / "m2.embkit").exists()
    res = run("whiten", vec_file, "--freq", "zipf", "--min-count", 2, "-o", tmp_path / "v.embkit")
    assert res.exit_code == 1 and str(vec_file) in error_line(res) and "counts" in error_line(res)
    assert run("whiten", model, "--min-count", 0).exit_code == 2


def test_whiten_default_output_that_exists_is_replaced_with_a_warning(model, vec_file, tmp_path, monkeypatch):
    """As train: a default-named output is replaced, and the warning says what it held (even with -q)."""
    monkeypatch.chdir(tmp_path)
    assert run("whiten", model).exit_code == 0
    res = run("-q", "whiten", vec_file, "--freq", "zipf")      # the same default name: small.whiten-zipfian.embkit
    assert res.exit_code == 0
    assert ("small.whiten-zipfian.embkit exists and will be replaced (an embkit model, then whitened (zipfian)); "
            "give -o NAME to keep it") in res.stderr
    assert run("whiten", model, "--min-count", 1, "--method", "center").exit_code == 0
    res = run("whiten", model, "--method", "center")            # says the model it replaces was centred
    assert "(an embkit model, then centred (fitted on words seen 1+ times))" in res.stderr
    res = run("whiten", vec_file, "--freq", "zipf", "-o", "small.whiten-zipfian.embkit")   # named with -o: as asked
    assert res.exit_code == 0 and "will be replaced" not in res.stderr


def test_whiten_freq_directory_is_named_as_such(model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("whiten", model, "--freq", tmp_path)       # the default output would be inside it
    assert res.exit_code == 1 and error_line(res) == f"embkit: error: {tmp_path}: is a directory; --freq takes a " \
        "frequency file"


def test_whiten_uses_the_newest_model_here(model, monkeypatch):
    monkeypatch.chdir(model.parent)
    res = run("whiten", "--method", "center")
    assert res.exit_code == 0, res.output
    assert (model.parent / "small.whiten-center.embkit").is_dir()


def test_whiten_word2vec_file_needs_frequencies(vec_file, tmp_path):
    res = run("whiten", vec_file, "-o", tmp_path / "w.embkit")
    assert res.exit_code == 1
    line = error_line(res)
    assert str(vec_file) in line and "--freq PATH" in line and "--freq zipf" in line
    assert run("whiten", vec_file, "--freq", "zipf", "-o", tmp_path / "w.embkit").exit_code == 0
    freq = tmp_path / "f.tsv"
    freq.write_text("a\t2\nb\t1\nc\t1\n")
    assert run("whiten", vec_file, "--freq", freq, "-o", tmp_path / "f.embkit").exit_code == 0
    freq.write_text("a\t2\nzzz\t1\n")
    res = run("whiten", vec_file, "--freq", freq, "-o", tmp_path / "g.embkit")
    assert res.exit_code == 1 and "covers 33.3% of the vocabulary" in error_line(res)


@pytest.mark.parametrize("args", [
    ["--method", "pca"],
    ["--remove", "1"],                       # zipfian has no --remove
    ["--method", "center", "--keep", "1"],
    ["--keep", "5"],                         # more than the dimension
    ["--eps", "-1"],
    ["-o", "-"],
    ["--method", "center", "--freq", "zipf"],  # only zipfian weights by frequency: --freq would be ignored
    ["--method", "abtt", "--freq", "model"],
])
def test_whiten_usage_errors_exit_2(model, args):
    res = run("whiten", model, *args)
    assert res.exit_code == 2
    if "--freq" in args:
        assert "--freq: applies to --method zipfian only" in res.output.replace("'", "")


def test_whiten_refuses_to_overwrite_its_input(model):
    res = run("whiten", model, "-o", model)
    assert res.exit_code == 1 and "small.embkit" in error_line(res)


def _npz(path):
    from scipy import sparse
    m = sparse.csr_matrix(np.array([[0, 2, 2], [1, 0, 1], [3, 1, 0]], dtype=float))
    np.savez(path, format=np.array(b"csr"), shape=np.array(m.shape), data=m.data, indices=m.indices,
             indptr=m.indptr, vocab=np.array(["a", "b", "c"]), counts=np.array([2, 1, 1]),
             settings=np.array(json.dumps({"window": 2, "weighting": "uniform"})))
    return path


def test_analyze_table_and_json(model, tmp_path):
    res = run("analyze", model)
    assert res.exit_code == 0, res.output
    assert "isotropy" in res.stdout and "1-3" in res.stdout and "give --cooccur" in res.stdout
    res = run("analyze", model, "--cooccur", _npz(tmp_path / "c.npz"), "--json")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["n_words"] == 3 and r["freq"] == "model"
    assert set(r["isotropy"]) == {"uniform", "zipfian", "freq"}
    assert r["norms_by_frequency"]["n_words"] == [3]
    assert r["information_gain"]["n_words"] == 3 and r["information_gain"]["settings"]["window"] == 2
    assert "squared_norm" not in r and "probabilities" not in r


def test_analyze_counts_a_corpus(model, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\nb a\n")
    res = run("analyze", model, "--corpus", corpus, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["information_gain"]["settings"]["window"] == 1
    res = run("analyze", model, "--corpus", corpus, "--window", 2, "--json")
    assert json.loads(res.stdout)["information_gain"]["settings"]["window"] == 2


def test_analyze_usage_and_errors(model, tmp_path, monkeypatch):
    assert run("analyze", model, "--corpus", "x.txt", "--cooccur", "y.npz").exit_code == 2
    assert run("analyze", model, "--window", 2).exit_code == 2
    res = run("analyze", model, "--cooccur", tmp_path / "missing.npz")
    assert res.exit_code == 1 and "missing.npz" in error_line(res)
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    res = run("analyze", model, "--plot", tmp_path / "a.png")
    assert res.exit_code == 1 and "pip install 'embkit[plot]'" in error_line(res)


def test_analyze_plot(model, tmp_path):
    pytest.importorskip("matplotlib")
    res = run("analyze", model, "--cooccur", _npz(tmp_path / "c.npz"), "--plot", tmp_path / "a.png")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"


def test_readme_cooccur_then_analyze(tmp_path):
    """The README example: `embkit cooccur ... -o counts.npz` then `embkit analyze m.embkit --cooccur counts.npz`."""
    (tmp_path / "c.txt").write_text("A b, c.\n" * 5)
    KeyedVectors(["a", "b", "c", "d"], W3 + [[1.0, 1.0]], counts=[5, 5, 5, 1]).save(tmp_path / "m.embkit")
    res = run_cli(["cooccur", "c.txt", "-o", "counts.npz", "--window", "10", "--tokenizer", "regex", "--lowercase",
                   "--min-count", "1"], tmp_path)
    assert res.exit_code == 0, res.output
    res = run_cli(["analyze", "m.embkit", "--cooccur", "counts.npz", "--json"], tmp_path)
    assert res.exit_code == 0, res.output
    ig = json.loads(res.stdout)["information_gain"]
    assert ig["n_words"] == 3 and ig["settings"]["window"] == 10 and ig["settings"]["weighting"] == "harmonic"


def test_analyze_word2vec_file_needs_frequencies_as_whiten_does(vec_file, tmp_path):
    """analyze on vectors without counts stops with whiten's one-line error (no silent Zipf fallback)."""
    res = run("analyze", vec_file)
    assert res.exit_code == 1
    line = error_line(res)
    assert line == error_line(run("whiten", vec_file, "-o", tmp_path / "w.embkit"))
    assert str(vec_file) in line and "--freq PATH" in line and "--freq zipf" in line
    res = run("analyze", vec_file, "--freq", "zipf", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["freq"] == "zipf"


def test_analyze_corpus_counts_the_models_terms(tmp_path):
    """--corpus on a model trained with --terms counts its term vectors; a gone terms file is one warning line."""
    (tmp_path / "c.txt").write_text("new york is big\nbig new york\n")
    (tmp_path / "terms.txt").write_text("new york\n")
    params = {"window": 1, "terms": "terms.txt"}
    KeyedVectors(["new_york", "is", "big"], W3, counts=[2, 1, 2], meta={"params": params}).save(tmp_path / "m.embkit")
    res = run_cli(["analyze", "m.embkit", "--corpus", "c.txt", "--json"], tmp_path)
    assert res.exit_code == 0, res.output
    ig = json.loads(res.stdout)["information_gain"]
    assert ig["n_words"] == 3 and ig["settings"]["terms"] == "terms.txt"
    (tmp_path / "terms.txt").unlink()
    res = run_cli(["analyze", "m.embkit", "--corpus", "c.txt", "--json"], tmp_path)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["information_gain"]["n_words"] == 2
    warnings = [line for line in res.stderr.splitlines() if "terms.txt" in line]
    assert len(warnings) == 1 and "1 of the 3 words of the vectors were not counted" in warnings[0]


def _pairs(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# sentence pairs\nA a\ta.\t5\na b\tb\t4\na\tb\t2\nzzz\ta\t1\n")
    return path


def test_eval_sts_table_and_json(model, tmp_path):
    pairs = _pairs(tmp_path)
    res = run("eval", "sts", model, "--dataset", pairs)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"sts: {pairs} (4 pairs), weighting mean"
    assert any("sentences without a known word: 1 (1 pair(s) scored 0)" in x for x in lines)
    res = run("eval", "sts", model, "--dataset", pairs, "--weighting", "sif", "--json")
    r = json.loads(res.stdout)
    assert r["weighting"] == "sif" and r["pairs"] == 4 and r["empty_sentences"] == 1
    assert -100 <= r["spearman"] <= 100


def test_eval_sts_bundled_and_errors(model, vec_file, tmp_path):
    r = json.loads(run("eval", "sts", model, "--json").stdout)
    assert r["dataset"] == "stsb" and r["pairs"] == 1379
    res = run("eval", "sts", vec_file, "--dataset", _pairs(tmp_path), "--weighting", "sif")
    assert res.exit_code == 1 and "--freq zipf" in error_line(res) and str(vec_file) in error_line(res)
    res = run("eval", "sts", model, "--dataset", "nope")
    assert res.exit_code == 1 and "stsb" in error_line(res)
    assert run("eval", "sts", model, "--weighting", "idf").exit_code == 2


def test_commands_are_registered():
    names = set(cli.commands)
    assert {"whiten", "analyze"} <= names and "sts" in cli.commands["eval"].commands


def test_replaced_output_description_lists_the_steps_in_order(tmp_path):
    """Retrofitted then whitened is said in that order (retrofit records its step in the ordered list)."""
    from embkit.postprocess.retrofit import retrofit
    from embkit.postprocess.whiten import whiten as whiten_vectors
    from embkit_cli._common import describe_existing

    kv = KeyedVectors(["a", "b", "c", "d"], W3 + [[2.0, 2.0]], counts=[3, 2, 2, 1])
    out = whiten_vectors(retrofit(kv, {"a": ["b"]}), method="center")
    out.save(tmp_path / "m.embkit")
    assert describe_existing(tmp_path / "m.embkit") == \
        "an embkit model, then retrofitted to lexicon, then centred"
    whiten_vectors(out, method="uniform", keep=1).save(tmp_path / "k.embkit")
    whiten_vectors(out, method="abtt", remove=1).save(tmp_path / "a.embkit")
    assert describe_existing(tmp_path / "k.embkit").endswith("then centred, then whitened (uniform, 1 dimension)")
    assert describe_existing(tmp_path / "a.embkit").endswith("then centred, then all-but-the-top (top 1 removed)")
