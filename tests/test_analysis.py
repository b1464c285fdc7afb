"""Geometry analysis: isotropy, norms by frequency band, information gain, co-occurrence files and counting."""
import json
import logging
import math
import sys

import numpy as np
import pytest
from scipy import sparse

import embkit
from embkit import KeyedVectors
from embkit.analysis import (
    analyze,
    count_cooccurrence,
    information_gain,
    isotropy,
    norm_information_gain,
    norms_by_frequency,
    plot_analysis,
)
from embkit.corpus.cooccur import Cooccurrence
from embkit.exceptions import EmbkitError, FormatError, ParameterTypeError
from embkit.postprocess.frequencies import NoCountsError

E = math.e


def test_isotropy_by_hand_uniform_and_zipfian():
    kv = KeyedVectors(["a", "b"], [[2.0, 0.0], [0.0, 1.0]], counts=[3, 1])
    r = isotropy(kv)
    u, z = r["uniform"], r["zipfian"]
    assert u["mean_norm_ratio"] == pytest.approx(math.hypot(1, 0.5) / 1.5)
    assert u["eigenvalue_ratio"] == pytest.approx(0.0, abs=1e-12)          # two points: a line
    # principal directions e1, e2: min Z = Z(-e1) = (1 + e^-2) / 2, max Z = Z(e1) = (e^2 + 1) / 2
    assert u["partition_ratio"] == pytest.approx(E ** -2)
    assert z["mean_norm_ratio"] == pytest.approx(math.hypot(1.5, 0.25) / 1.75)
    assert z["partition_ratio"] == pytest.approx((0.75 * E ** -2 + 0.25) / (0.75 * E ** 2 + 0.25))
    np.testing.assert_allclose(np.sort(z["log_partition"].ravel()),
                               np.log(np.sort([0.75 * E ** 2 + 0.25, 0.75 * E ** -2 + 0.25,
                                               0.75 + 0.25 * E, 0.75 + 0.25 / E])))
    assert r["freq"] == "model"
    assert isotropy(kv, freq=None)["zipfian"] is None


def test_isotropy_of_a_centred_cloud():
    kv = KeyedVectors(list("abcd"), [[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    u = isotropy(kv, freq=None)["uniform"]
    assert u["mean_norm_ratio"] == pytest.approx(0.0, abs=1e-12)
    assert u["eigenvalue_ratio"] == pytest.approx(0.25)                    # covariance diag(.5, 2)
    np.testing.assert_allclose(u["eigenvalues"], [2.0, 0.5])
    assert u["partition_ratio"] == pytest.approx((1 + math.cosh(1)) / (1 + math.cosh(2)))


def test_norms_by_frequency_bands():
    counts = np.arange(1, 13)                       # row i has count i + 1 and norm i + 1
    kv = KeyedVectors([f"w{i}" for i in range(12)], np.c_[counts, np.zeros(12)], counts=counts)
    r = norms_by_frequency(kv)
    assert r["rank_start"].tolist() == [1, 11] and r["rank_stop"].tolist() == [10, 12]
    assert r["n_words"].tolist() == [10, 2]
    np.testing.assert_allclose(r["norm_mean"], [7.5, 1.5])               # norms 12..3, then 2 and 1
    np.testing.assert_allclose(r["norm_std"], [math.sqrt(99 / 12), 0.5])
    np.testing.assert_allclose(r["norm_median"], [7.5, 1.5])
    np.testing.assert_allclose(r["p_max"], [12 / 78, 2 / 78])
    np.testing.assert_allclose(r["p_min"], [3 / 78, 1 / 78])


X = sparse.csr_matrix(np.array([[0, 2, 2], [1, 0, 1], [3, 1, 0]], dtype=float))


def test_information_gain_by_hand():
    # p(c) = (.5, .25, .25) from counts
    np.testing.assert_allclose(information_gain(X, counts=[2, 1, 1]),
                               [math.log(2), 0.5 * math.log(2), 0.75 * math.log(1.5)])
    # p(c) = column sums (4, 3, 3) / 10
    np.testing.assert_allclose(information_gain(X),
                               [math.log(5 / 3), 0.5 * math.log(1.25) + 0.5 * math.log(5 / 3),
                                0.75 * math.log(0.75 / 0.4) + 0.25 * math.log(0.25 / 0.3)])


def test_information_gain_edge_cases():
    x = sparse.csr_matrix(np.array([[0, 1], [0, 0]], dtype=float))
    gain = information_gain(x, counts=[1, 1])
    assert gain[0] == pytest.approx(math.log(2)) and math.isnan(gain[1])
    with pytest.raises(EmbkitError, match="unigram count is 0"):
        information_gain(x, counts=[1, 0])
    with pytest.raises(EmbkitError, match="one entry per column"):
        information_gain(x, counts=[1, 1, 1])
    with pytest.raises(EmbkitError, match="negative"):
        information_gain(sparse.csr_matrix(np.array([[0, -1], [1, 0]], dtype=float)))


def _write_npz(path, matrix, vocab, counts=None, settings=None):
    m = sparse.csr_matrix(matrix)
    arrays = {"format": np.array(b"csr"), "shape": np.array(m.shape), "data": m.data, "indices": m.indices,
              "indptr": m.indptr, "vocab": np.array(vocab)}
    if counts is not None:
        arrays["counts"] = np.asarray(counts)
    if settings is not None:
        arrays["settings"] = np.array(json.dumps(settings))
    np.savez(path, **arrays)


def test_read_cooccurrence_layout(tmp_path):
    """Analysis reads counts files through the shared reader (Cooccurrence.load), SciPy's layout included."""
    f = tmp_path / "counts.npz"
    _write_npz(f, X, ["a", "b", "c"], [2, 1, 1], {"window": 5, "weighting": "uniform"})
    r = Cooccurrence.load(f)
    assert r.words == ["a", "b", "c"] and r.counts.tolist() == [2, 1, 1]
    assert r.settings == {"window": 5, "weighting": "uniform"}
    np.testing.assert_array_equal(r.matrix.toarray(), X.toarray())
    # an upper triangle is mirrored
    _write_npz(f, sparse.triu(X), ["a", "b", "c"])
    np.testing.assert_array_equal(Cooccurrence.load(f).matrix.toarray(), [[0, 2, 2], [2, 0, 1], [2, 1, 0]])


def test_read_cooccurrence_errors(tmp_path):
    f = tmp_path / "bad.npz"
    sparse.save_npz(f, X)
    with pytest.raises(FormatError, match="no vocab array"):
        norm_information_gain(KeyedVectors(["a"], [[1.0]]), f)
    _write_npz(f, X, ["a", "b"])
    with pytest.raises(FormatError, match="the vocabulary has 2 words but the matrix has shape"):
        norm_information_gain(KeyedVectors(["a"], [[1.0]]), f)
    np.savez(f, vocab=np.array([{"pickled": 1}], dtype=object))
    with pytest.raises(FormatError, match="not a counts .npz"):
        norm_information_gain(KeyedVectors(["a"], [[1.0]]), f)
    with pytest.raises(ParameterTypeError, match="not dict"):
        norm_information_gain(KeyedVectors(["a"], [[1.0]]), {"matrix": X})


def test_corpus_counts_match_the_window_pairs_by_hand(tmp_path):
    """--corpus counting (the shared counting kernel): every pair within the window of one sentence, both ways."""
    from embkit.analysis import count_cooccurrence
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(6)]
    tokens = rng.integers(0, 6, size=40)
    sentence = np.repeat(np.arange(5), [9, 1, 12, 3, 15])
    lines = [" ".join(words[t] for t in tokens[sentence == s]) for s in range(5)]
    (tmp_path / "c.txt").write_text("\n".join(lines) + "\n")
    kv = KeyedVectors(words, np.eye(6), counts=np.bincount(tokens, minlength=6))
    cooc = count_cooccurrence(kv, str(tmp_path / "c.txt"), window=3, tokenizer="whitespace", progress=False)
    ref = np.zeros((6, 6))
    for i in range(40):
        for j in range(i + 1, min(40, i + 4)):
            if sentence[i] == sentence[j]:
                ref[tokens[i], tokens[j]] += 1
                ref[tokens[j], tokens[i]] += 1
    assert cooc.vocab.words == words
    np.testing.assert_array_equal(cooc.matrix.toarray(), ref)
    assert cooc.vocab.counts.tolist() == np.bincount(tokens, minlength=6).tolist()


def test_count_cooccurrence_by_hand(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\nb a\na x c\n")      # x is not in the vocabulary: dropped before windows
    kv = KeyedVectors(["a", "b", "c"], np.eye(3), counts=[3, 2, 2],
                      meta={"params": {"window": 1, "tokenizer": "whitespace", "lowercase": False}})
    r = count_cooccurrence(kv, str(corpus), progress=False)
    np.testing.assert_array_equal(r.matrix.toarray(), [[0, 2, 1], [2, 0, 1], [1, 1, 0]])
    assert r.counts.tolist() == [3, 2, 2] and r.settings["window"] == 1 and r.words == ["a", "b", "c"]
    r2 = count_cooccurrence(kv, str(corpus), window=2, progress=False)
    np.testing.assert_array_equal(r2.matrix.toarray(), [[0, 2, 2], [2, 0, 1], [2, 1, 0]])
    with pytest.raises(EmbkitError, match="--window"):
        count_cooccurrence(KeyedVectors(["a"], [[1.0]]), str(corpus), progress=False)


def test_norm_information_gain_aligns_vocabularies(tmp_path):
    f = tmp_path / "counts.npz"
    # the counts list the words in another order, and one word the vectors do not have
    _write_npz(f, X, ["c", "a", "zzz"], [1, 2, 1])
    kv = KeyedVectors(["a", "b", "c"], [[3.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    r = norm_information_gain(kv, str(f))
    gain = information_gain(X, counts=[1, 2, 1])          # rows c, a, zzz
    np.testing.assert_allclose(r["information_gain"][[0, 2]], [gain[1], gain[0]])
    assert math.isnan(r["information_gain"][1]) and r["n_words"] == 2 and r["spearman"] is None
    np.testing.assert_allclose(r["squared_norm"], [9, 1, 4])
    aligned = norm_information_gain(KeyedVectors(["a", "b", "c"], [[3.0, 0.0], [1.0, 0.0], [0.0, 2.0]]), X)
    # gains (log 5/3 = .51, .37, .43) against squared norms (9, 1, 4): same order
    assert aligned["spearman"] == pytest.approx(1.0)
    # without model counts the frequent words are those whose column sum (4, 3, 3) reaches min_count
    assert aligned["n_frequent"] == 0 and aligned["spearman_frequent"] is None
    kv3 = KeyedVectors(["a", "b", "c"], [[3.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    r3 = norm_information_gain(kv3, X, min_count=3)
    assert (r3["n_frequent"], r3["spearman_frequent"], r3["min_count"]) == (3, pytest.approx(1.0), 3)
    assert norm_information_gain(kv3, X, min_count=4)["n_frequent"] == 1
    with_counts = KeyedVectors(["a", "b", "c"], [[3.0, 0.0], [1.0, 0.0], [0.0, 2.0]], counts=[500, 5, 200])
    assert norm_information_gain(with_counts, X)["n_frequent"] == 2        # the model's counts >= 100


def test_analyze_without_counts_needs_a_frequency_source_as_whiten_does():
    """Vectors without counts: analyze stops with whiten's NoCountsError instead of guessing Zipf weights."""
    kv = KeyedVectors(["a", "b", "c"], [[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    with pytest.raises(NoCountsError) as err:
        analyze(kv, cooccurrence=X)
    with pytest.raises(NoCountsError) as whiten_err:
        embkit.whiten(kv)
    assert str(err.value) == str(whiten_err.value) and "--freq zipf" in str(err.value)
    r = analyze(kv, freq="zipf", cooccurrence=X)
    assert r["freq"] == "zipf" and r["isotropy"]["freq"] == "zipf"
    np.testing.assert_allclose(r["probabilities"], [6 / 11, 3 / 11, 2 / 11])         # 1/rank, normalised
    assert r["isotropy"]["zipfian"] is not None and r["information_gain"]["n_words"] == 3
    np.testing.assert_allclose(r["squared_norm"], [4, 1, 2])
    with pytest.raises(EmbkitError, match="not both"):
        analyze(kv, freq="zipf", cooccurrence=X, corpus="c.txt")


def test_plot_without_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    kv = KeyedVectors(["a", "b", "c"], [[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], counts=[3, 2, 1])
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(EmbkitError, match=r"pip install 'embkit\[plot\]'"):
        plot_analysis(analyze(kv), tmp_path / "a.png")


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    kv = KeyedVectors(["a", "b", "c"], [[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], counts=[3, 2, 1])
    for cooc in (None, X):
        out = tmp_path / "a.png"
        plot_analysis(analyze(kv, cooccurrence=cooc), out)
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- counts from embkit cooccur, terms


def _abc_corpus(tmp_path):
    """Five lines 'A b, c.': with the regex tokenizer and lowercasing, the tokens a b c."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("A b, c.\n" * 5)
    return corpus


# harmonic window 10 over 'a b c' five times: X = 5 [[0, 1, .5], [1, 0, 1], [.5, 1, 0]], p(c) = 1/3 each:
# a and c: p(.|w) = (0, 2/3, 1/3) or (1/3, 2/3, 0), KL = 2/3 log 2; b: (1/2, 0, 1/2), KL = log 3/2
ABC_GAIN = [2 / 3 * math.log(2), math.log(1.5), 2 / 3 * math.log(2), float("nan")]


def test_analyze_reads_counts_written_by_cooccur(tmp_path):
    """The file `embkit cooccur` writes (vocab as one newline-joined string) is read, not its characters."""
    counts = embkit.cooccur(str(_abc_corpus(tmp_path)), output=tmp_path / "counts.npz", window=10,
                            tokenizer="regex", lowercase=True, min_count=1, progress=False)
    kv = KeyedVectors(["a", "b", "c", "d"], np.diag([3.0, 1.0, 2.0, 1.0])[:, :3], counts=[5, 5, 5, 1])
    for source in (counts, str(counts)):
        ig = analyze(kv, cooccurrence=source)["information_gain"]
        np.testing.assert_allclose(ig["information_gain"], ABC_GAIN)
        assert ig["n_words"] == 3 and ig["settings"]["weighting"] == "harmonic"


def test_analyze_takes_the_cooccurrence_object_that_cooccur_returns(tmp_path):
    """embkit.cooccur(...) without output gives a Cooccurrence, which analyze takes (no TypeError)."""
    counts = embkit.cooccur(str(_abc_corpus(tmp_path)), window=10, tokenizer="regex", lowercase=True,
                            min_count=1, progress=False)
    kv = KeyedVectors(["a", "b", "c", "d"], np.diag([3.0, 1.0, 2.0, 1.0])[:, :3], counts=[5, 5, 5, 1])
    ig = embkit.analyze(kv, cooccurrence=counts)["information_gain"]
    np.testing.assert_allclose(ig["information_gain"], ABC_GAIN)
    # squared norms 9, 1, 4 (ranks 3, 1, 2) against gains .46, .41, .46 (ranks 2.5, 1, 2.5): 1.5 / sqrt(2 * 1.5)
    assert ig["spearman"] == pytest.approx(math.sqrt(3) / 2)


def _term_model(tmp_path, **params):
    return KeyedVectors(["new_york", "is", "big"], np.eye(3), counts=[2, 1, 2],
                        meta={"params": {"window": 1, "tokenizer": "whitespace", **params}})


def _term_corpus(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("New York is big\nbig New York\n")
    return str(corpus)


# new_york is big / big new_york, window 1: pairs (new_york, is), (is, big), (big, new_york)
JOINED = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]


def test_count_cooccurrence_joins_the_models_terms(tmp_path):
    """A model trained with --terms (lowercased) gets its term vectors counted, not left out."""
    terms = tmp_path / "terms.txt"
    terms.write_text("New York\n")
    r = count_cooccurrence(_term_model(tmp_path, terms=str(terms), lowercase=True), _term_corpus(tmp_path),
                           progress=False)
    np.testing.assert_array_equal(r.matrix.toarray(), JOINED)
    assert r.counts.tolist() == [2, 1, 2] and r.settings["terms"] == str(terms)


def test_count_cooccurrence_joins_a_phrases_file_and_auto_phrases(tmp_path):
    """--phrases FILE is read again and --phrases auto detects the terms again in the corpus."""
    phrases = tmp_path / "phrases.tsv"
    phrases.write_text("new_york\t2\t0.9\n")
    r = count_cooccurrence(_term_model(tmp_path, phrases=str(phrases), lowercase=True), _term_corpus(tmp_path),
                           progress=False)
    np.testing.assert_array_equal(r.matrix.toarray(), JOINED)
    corpus = tmp_path / "auto.txt"
    corpus.write_text("new york is big\nbig new york\n" * 5)         # new york 10 times, always together
    r = count_cooccurrence(_term_model(tmp_path, phrases="auto"), str(corpus), progress=False)
    assert r.counts[0] == 10 and r.settings["phrases"] == "auto"      # (is big is found too: is_big)
    assert r.matrix[0].sum() > 0


def test_a_missing_terms_file_is_one_warning_counting_the_words_left_out(tmp_path, caplog):
    """The recorded terms file is gone: counted without it, one warning says 1 of 3 words was not counted."""
    kv = _term_model(tmp_path, terms=str(tmp_path / "gone.txt"), lowercase=True)
    with caplog.at_level(logging.WARNING, logger="embkit"):
        r = count_cooccurrence(kv, _term_corpus(tmp_path), progress=False)
    warnings = [rec.getMessage() for rec in caplog.records if rec.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "gone.txt" in warnings[0] and "1 of the 3 words of the vectors were not counted" in warnings[0]
    assert r.counts.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(r.matrix.toarray(), [[0, 0, 0], [0, 0, 1], [0, 1, 0]])


def test_corpus_reading_of_vectors_that_record_nothing(tmp_path, caplog):
    """A .vec records no tokenizer: the default reading is said, and --tokenizer/--lowercase change it."""
    from embkit.analysis import analyze, count_cooccurrence
    (tmp_path / "c.txt").write_text("The Cat sat.\nthe cat sat\n" * 3)
    kv = KeyedVectors(["the", "cat", "sat"], np.eye(3), counts=[6, 6, 6])
    r = analyze(kv, corpus=str(tmp_path / "c.txt"), window=2, min_count=1)
    assert any("do not record how their corpus was read" in m for m in caplog.messages)
    assert r["information_gain"]["settings"]["tokenizer"] == "whitespace"
    plain = count_cooccurrence(kv, str(tmp_path / "c.txt"), window=2, progress=False)
    assert plain.vocab.counts.tolist() == [3, 3, 3]              # 'The', 'Cat', 'sat.' are other words
    read = count_cooccurrence(kv, str(tmp_path / "c.txt"), window=2, tokenizer="regex", lowercase=True,
                              progress=False)
    assert read.vocab.counts.tolist() == [6, 6, 6]
    r = analyze(kv, corpus=str(tmp_path / "c.txt"), window=2, min_count=1, tokenizer="regex", lowercase=True)
    assert r["information_gain"]["settings"]["lowercase"] is True


def test_counts_of_another_text_are_warned_of(tmp_path, caplog):
    """Counts that cover under half of the vectors' words (another corpus or reading) get a warning."""
    from embkit.analysis import analyze
    (tmp_path / "c.txt").write_text("a b a b\n" * 5)
    kv = KeyedVectors(["a", "b", "c", "d", "e"], np.eye(5), counts=[5, 5, 5, 5, 5])
    analyze(kv, corpus=str(tmp_path / "c.txt"), window=1, min_count=1, tokenizer="whitespace", lowercase=False)
    assert any("give an information gain for only 2 of the 5 words" in m for m in caplog.messages)
