"""The command line with subword models: train --model fasttext (case B13), vectors (case B20), neighbors,
eval similarity --oov compose, info and convert."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import embkit
from embkit import formats, io
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

CASES = Path(__file__).resolve().parents[1].parent / "shared" / "cases"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def b20(tmp_path):
    """A model of case B20's corpus (cat, dog, abc, ox) with minn=maxn=5."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("cat dog abc ox cat dog abc ox\n" * 5, encoding="utf-8")
    out = tmp_path / "b20.bin"
    r = run("train", corpus, "--model", "fasttext", "--minn", "5", "--maxn", "5", "--bucket", "100", "--min-count",
            "1", "--dim", "4", "--epochs", "1", "--sample", "0", "--threads", "1", "-o", out, "--quiet")
    assert r.exit_code == 0, r.output
    return out


def test_b13_label_like_word_is_an_ordinary_word(tmp_path):
    """Case B13: '__label__x' is a word in unsupervised training; the .vec header counts its rows."""
    corpus = CASES / "B13" / "label_like.txt"
    if not corpus.exists():
        corpus = tmp_path / "label_like.txt"
        corpus.write_text("the __label__x sat on the mat\n" * 5, encoding="utf-8")
    out = tmp_path / "out.vec"
    r = run("train", corpus, "--model", "fasttext", "--min-count", "5", "--dim", "4", "--epochs", "1", "-o", out)
    assert r.exit_code == 0, r.output
    assert "wrote" in r.stderr and "5 words x 4, fasttext" in r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "5 4" and len(lines) == 6
    assert [line.split()[0] for line in lines[1:]] == ["the", "__label__x", "sat", "on", "mat"]
    bin_out = tmp_path / "out.bin"
    assert run("train", corpus, "--model", "fasttext", "--min-count", "5", "--dim", "4", "--epochs", "1", "-o",
               bin_out, "--quiet").exit_code == 0
    assert formats.detect_format(bin_out) == "fasttext-bin"
    assert io.load(bin_out).index_to_key == ["the", "__label__x", "sat", "on", "mat"]


def test_b20_vectors_command(b20):
    """Case B20: unseen words are composed; one without n-grams gets a warning and zeros, exit 1 with --strict."""
    kv = io.load(b20)
    r = run("vectors", b20, "ox", "xy", "xyz")
    assert r.exit_code == 0, r.output
    rows = [line.split(" ") for line in r.stdout.splitlines()]
    assert [row[0] for row in rows] == ["ox", "xy", "xyz"] and all(len(row) == 5 for row in rows)
    np.testing.assert_allclose([float(x) for x in rows[0][1:]], kv["ox"], rtol=1e-6)
    assert np.abs(kv["ox"]).max() > 0                      # in the vocabulary: its own row, not zero
    assert rows[1][1:] == ["0"] * 4
    np.testing.assert_allclose([float(x) for x in rows[2][1:]], kv["xyz"], rtol=1e-6)
    assert r.stderr.count("warning: 'xy' is not in the vocabulary") == 1
    assert "no character n-gram of 5 to 5 characters ('<xy>' has 4)" in r.stderr
    strict = run("vectors", b20, "xy", "--strict")
    assert strict.exit_code == 1 and "embkit: error: no vector could be composed for 'xy'" in strict.stderr
    assert "(no character n-gram of 5 to 5 characters; --strict)" in strict.stderr
    words_only = b20.parent / "w.bin"                        # maxn=0: the reason is the model, not the word
    io.save(KeyedVectors(["a", "b"], [[1.0, 0.5], [0.25, -2.0]]), words_only, format="fasttext-bin")
    strict = run("vectors", words_only, "economyz", "--strict")
    assert strict.exit_code == 1 and "(the model has no character n-grams (maxn=0); --strict)" in strict.stderr


def test_vectors_command_on_word_vectors(tmp_path):
    path = tmp_path / "w.vec"
    io.save(KeyedVectors(["a", "b"], [[1.0, 0.5], [0.25, -2.0]]), path)
    r = run("vectors", path, "b", "zz", "a")
    assert r.exit_code == 1
    assert r.stdout == "b 0.25 -2\na 1 0.5\n"
    assert "embkit: error: not in the vocabulary of" in r.stderr and "'zz'" in r.stderr
    assert run("vectors", path).exit_code == 2


def test_neighbors_of_unseen_words(b20):
    r = run("neighbors", b20, "xyz", "cat", "--topn", "2")
    assert r.exit_code == 0, r.output
    assert "xyz (composed from n-grams)" in r.stdout and "\ncat\n" in r.stdout
    r = run("neighbors", b20, "xy", "cat")
    assert r.exit_code == 1 and "'xy'" in r.stderr
    r = run("neighbors", b20, "--positive", "xyz,cat", "--topn", "1")
    assert r.exit_code == 0, r.output


def test_train_options_and_usage_errors(tmp_path, monkeypatch):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 10, encoding="utf-8")
    r = run("train", corpus, "--minn", "2", "--bucket", "10")
    assert r.exit_code == 2 and "--bucket, --minn apply to --model fasttext and fasttext-cbow only" in r.stderr
    r = run("train", corpus, "--model", "fasttext", "--position-weights")
    assert r.exit_code == 2 and "position_weights applies to CBOW only" in r.stderr
    r = run("train", corpus, "--model", "fasttext", "--minn", "7")
    assert r.exit_code == 2 and "minn (7) must not exceed maxn (6)" in r.stderr
    out = tmp_path / "cbow.embkit"
    r = run("train", corpus, "--model", "fasttext-cbow", "--position-weights", "--min-count", "1", "--bucket", "20",
            "--dim", "4", "--epochs", "1", "-o", out, "--quiet")
    assert r.exit_code == 0, r.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "subword" and meta["model"] == "fasttext-cbow" and meta["params"]["alpha"] == 0.05
    assert meta["params"]["position_weights"] is True and meta["subword"]["bucket"] == 20
    assert meta["params"]["share_negatives"] is False and meta["params"]["ns_exponent"] == 0.5   # FastText's
    r = run("train", corpus, "--model", "fasttext", "--share-negatives", "--ns-exponent", "0.75", "--min-count", "1",
            "--bucket", "20", "--dim", "4", "--epochs", "1", "-o", out, "--quiet")
    params = json.loads((out / "meta.json").read_text())["params"]
    assert r.exit_code == 0 and params["share_negatives"] is True and params["ns_exponent"] == 0.75
    monkeypatch.chdir(tmp_path)
    r = run("train", corpus, "--model", "fasttext", "--min-count", "1", "--bucket", "20", "--dim", "4", "--epochs",
            "1", "--format", "fasttext-bin", "--quiet")
    assert r.exit_code == 0 and formats.detect_format(tmp_path / "c.bin") == "fasttext-bin"     # default name
    help_text = run("train", "--help").stdout
    for option in ("--minn", "--maxn", "--bucket", "--position-weights", "fasttext-cbow", "fasttext-bin"):
        assert option in help_text


def test_info_and_convert(b20, tmp_path):
    r = run("info", b20, "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["format"] == "fasttext-bin" and info["words"] == 4 and info["meta"]["kind"] == "subword"
    assert run("convert", b20, tmp_path / "c.embkit").exit_code == 0
    assert run("convert", tmp_path / "c.embkit", tmp_path / "c2.bin").exit_code == 0
    assert run("convert", tmp_path / "c.embkit", tmp_path / "c.vec").exit_code == 0
    kv, back = io.load(b20), io.load(tmp_path / "c2.bin")
    np.testing.assert_array_equal(back.ngram_vectors, kv.ngram_vectors)
    np.testing.assert_array_equal(back["xyzzy"], kv["xyzzy"])
    np.testing.assert_allclose(io.load(tmp_path / "c.vec").vectors, kv.vectors, rtol=1e-6)
    r = run("convert", tmp_path / "c.vec", tmp_path / "w.bin", "--to", "fasttext-bin")
    assert r.exit_code == 0 and formats.detect_format(tmp_path / "w.bin") == "fasttext-bin"


def test_eval_similarity_oov_compose(b20, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t8\ncat\tcats\t9\nxy\tox\t1\nabc\tdogs\t3\nox\tabc\t2\n", encoding="utf-8")
    r = run("eval", "similarity", b20, "--dataset", pairs, "--oov", "compose", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["composed"] == [["cat", "cats"], ["abc", "dogs"]] and result["composed_share"] == 0.4
    assert result["oov"] == [["xy", "ox"]] and result["pairs_used"] == 4
    kv = io.load(b20)
    assert embkit.evaluate_similarity(kv, str(pairs), oov="compose")["spearman"] == result["spearman"]
    table = run("eval", "similarity", b20, "--dataset", pairs, "--oov", "compose")
    assert "2 pair(s) scored with vectors composed from n-grams: cat/cats, abc/dogs" in table.stdout
    words = tmp_path / "w.vec"
    io.save(KeyedVectors(["cat", "dog"], [[1.0, 0.0], [0.0, 1.0]]), words)
    r = run("eval", "similarity", words, "--dataset", pairs, "--oov", "compose")
    assert r.exit_code == 1 and "oov='compose' needs subword vectors" in r.stderr
