"""The word2vec kernels against the NumPy oracle in reference.py, and the sampling tables."""
import numpy as np
import pytest
from reference import LCG, alias_distribution, reference_epoch

import embkit.exceptions
import embkit.models._training as training
import embkit.models.word2vec as w2v
from embkit.corpus.encoded import EncodedCorpus
from embkit.kernels.rng import chunk_seeds
from embkit.kernels.sampling import build_alias, keep_probabilities, negative_distribution, sigmoid_tables

# Sentences of different lengths: a single word (no context), lines longer than
# the window, and a line that becomes two sentences through max_sentence_length.
TINY = """the cat sat on the mat
the dog sat
cat
the cat and the dog and the bird sat on the mat by the door
bird dog cat the the the
on the mat
"""


@pytest.fixture
def tiny_corpus(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    return EncodedCorpus.encode(str(path), min_count=1, max_sentence_length=9, cache=False, progress=False)


def test_tiny_corpus_encoding(tiny_corpus):
    enc = tiny_corpus
    # the 12, cat 4, then sat/on/mat/dog 3 each (in order of first occurrence), and/bird 2, by/door 1
    assert enc.vocab.words == ["the", "cat", "sat", "on", "mat", "dog", "and", "bird", "by", "door"]
    assert enc.vocab.counts.tolist() == [12, 4, 3, 3, 3, 3, 2, 2, 1, 1]
    lengths = np.diff(enc.offsets).tolist()
    assert lengths == [6, 3, 1, 9, 6, 6, 3]  # the 15-token line split into 9 + 6
    assert enc.manifest["lines_split"] == 1


def _reference_fit(enc, sg, params, chunk_tokens):
    """Replays Word2Vec.fit's schedule with the oracle; returns (w_in, w_out, losses)."""
    init = w2v.Word2Vec(sg=sg, **{**params, "epochs": 0}).fit(enc).wv.vectors.copy()
    w_in, w_out = init.copy(), np.zeros_like(init)
    prob, alias = build_alias(negative_distribution(enc.vocab.counts, 0.75))
    keep = keep_probabilities(enc.vocab.counts, params["sample"])
    bounds = enc.chunks(chunk_tokens)
    epochs, alpha, min_alpha = params["epochs"], params["alpha"], params["min_alpha"]
    n = len(enc.tokens)
    losses = []
    for e in range(epochs):
        # the rate of token i of epoch e is alpha - (alpha - min_alpha) * (e * n + i) / (epochs * n)
        lr_start = alpha - (alpha - min_alpha) * (e * n) / (epochs * n)
        lr_end = alpha - (alpha - min_alpha) * (e * n + n) / (epochs * n)
        seeds = chunk_seeds(params["seed"], e, len(bounds) - 1)
        loss, examples, kept = reference_epoch(
            sg, enc.tokens, enc.offsets, bounds, seeds, w_in, w_out, prob, alias, keep, lr_start, lr_end,
            params["window"], params["negative"], share_negatives=params.get("share_negatives", False))
        losses.append((loss, examples, kept))
    return w_in, w_out, losses


@pytest.mark.parametrize("sg,share", [(True, False), (True, True), (False, False)])
@pytest.mark.parametrize("chunk_tokens", [4, 10000])
def test_kernel_matches_reference(tiny_corpus, monkeypatch, sg, share, chunk_tokens):
    monkeypatch.setattr(training, "CHUNK_TOKENS", chunk_tokens)
    params = dict(dim=8, window=3, negative=3, sample=0.05, alpha=0.05, min_alpha=0.001, epochs=3, seed=11,
                  min_count=1, threads=1, progress=False, share_negatives=share)
    model = w2v.Word2Vec(sg=sg, **params).fit(tiny_corpus)
    w_in, w_out, losses = _reference_fit(tiny_corpus, sg, params, chunk_tokens)
    # subsampling is active: 'the' (12 of 34 tokens) is kept with probability < 1
    keep = keep_probabilities(tiny_corpus.vocab.counts, params["sample"])
    assert keep[0] < 0.8 and keep[-1] == 1.0
    assert [r["tokens_trained"] for r in model.training_] == [k for _, _, k in losses]
    assert [r["examples"] for r in model.training_] == [x for _, x, _ in losses]
    assert min(k for _, _, k in losses) < len(tiny_corpus.tokens)
    np.testing.assert_allclose([r["loss_sum"] for r in model.training_], [x for x, _, _ in losses], rtol=1e-5)
    np.testing.assert_allclose(model.wv.vectors, w_in, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.wv.context, w_out, rtol=1e-4, atol=1e-6)
    assert np.abs(model.wv.context).max() > 0.01  # training really moved the output vectors


@pytest.mark.parametrize("share", [True, False])
def test_frozen_output_matrix_matches_reference(tiny_corpus, share):
    rng = np.random.default_rng(3)
    init_out = rng.normal(0, 0.1, (len(tiny_corpus.vocab), 8)).astype(np.float32)
    params = dict(dim=8, window=2, negative=2, sample=0.0, alpha=0.05, min_alpha=0.0001, epochs=2, seed=5,
                  min_count=1, threads=1, progress=False, share_negatives=share)
    model = w2v.Word2Vec(sg=True, init_out=init_out, train_out=False, **params).fit(tiny_corpus)
    np.testing.assert_array_equal(model.wv.context, init_out)
    init_in = w2v.Word2Vec(sg=True, **{**params, "epochs": 0}).fit(tiny_corpus).wv.vectors.copy()
    w_in, w_out = init_in.copy(), init_out.copy()
    prob, alias = build_alias(negative_distribution(tiny_corpus.vocab.counts, 0.75))
    keep = keep_probabilities(tiny_corpus.vocab.counts, 0.0)
    bounds = tiny_corpus.chunks(training.CHUNK_TOKENS)
    n = len(tiny_corpus.tokens)
    for e in range(2):
        a0 = 0.05 - (0.05 - 0.0001) * e / 2
        a1 = 0.05 - (0.05 - 0.0001) * (e + 1) / 2
        reference_epoch(True, tiny_corpus.tokens, tiny_corpus.offsets, bounds, chunk_seeds(5, e, len(bounds) - 1),
                        w_in, w_out, prob, alias, keep, a0, a1, 2, 2, share_negatives=share, train_out=False)
    assert n == 34
    np.testing.assert_allclose(model.wv.vectors, w_in, rtol=1e-4, atol=1e-6)


def test_one_thread_is_bit_reproducible(tiny_corpus):
    params = dict(dim=16, epochs=2, min_count=1, threads=1, seed=42, progress=False, sample=0.0)
    a = w2v.SkipGram(**params).fit(tiny_corpus).wv
    b = w2v.SkipGram(**params).fit(tiny_corpus).wv
    assert a.vectors.tobytes() == b.vectors.tobytes()
    assert a.context.tobytes() == b.context.tobytes()
    c = w2v.SkipGram(**{**params, "seed": 43}).fit(tiny_corpus).wv
    assert a.vectors.tobytes() != c.vectors.tobytes()


def test_chunk_seeds_are_distinct_and_stable():
    s = chunk_seeds(1, 0, 1000)
    assert s.dtype == np.int64 and len(np.unique(s)) == 1000
    assert np.array_equal(s, chunk_seeds(1, 0, 1000))
    assert not np.array_equal(s[:10], chunk_seeds(1, 1, 10))
    assert not np.array_equal(s[:10], chunk_seeds(2, 0, 10))
    # the first chunks' states do not depend on how many chunks there are
    assert np.array_equal(chunk_seeds(1, 0, 5), s[:5])


def test_lcg_matches_word2vec_recurrence():
    g = LCG(1)
    assert g.step() == 25214903917 + 11
    assert g.step() == ((25214903917 + 11) * 25214903917 + 11) % 2**64


def test_alias_table_is_exact():
    counts = np.array([1000, 500, 120, 7, 3, 1, 1], dtype=np.int64)
    probs = negative_distribution(counts, 0.75)
    expected = counts ** 0.75 / (counts ** 0.75).sum()
    np.testing.assert_allclose(probs, expected)
    prob, alias = build_alias(probs)
    assert prob.dtype == np.float32 and alias.dtype == np.int32
    np.testing.assert_allclose(alias_distribution(prob, alias), probs, atol=1e-7)
    # uniform and a single word
    prob1, alias1 = build_alias(np.full(4, 0.25))
    np.testing.assert_allclose(alias_distribution(prob1, alias1), 0.25)
    prob2, alias2 = build_alias(np.array([1.0]))
    assert prob2.tolist() == [1.0] and alias2.tolist() == [0]


def test_keep_probabilities_follow_word2vec():
    counts = np.array([1000, 100, 10, 1], dtype=np.int64)
    keep = keep_probabilities(counts, 1e-2)
    t = 1e-2 * 1111
    expected = [min(1.0, (np.sqrt(c / t) + 1) * t / c) for c in (1000, 100, 10, 1)]
    np.testing.assert_allclose(keep, expected, rtol=1e-6)
    # 1000 occurrences of 1111: kept with (sqrt(1000/11.11)+1)*11.11/1000 = 0.1165
    assert abs(keep[0] - 0.11651) < 1e-4
    assert keep_probabilities(counts, 0).tolist() == [1.0] * 4


def test_sigmoid_tables_are_symmetric():
    sig, logsig = sigmoid_tables(4096, 6.0)
    np.testing.assert_allclose(sig + sig[::-1], 1.0, atol=1e-6)
    np.testing.assert_allclose(np.exp(logsig), sig, rtol=1e-6)
    assert abs(sig[2048] - 1 / (1 + np.exp(-6.0 / 4096))) < 1e-7


def test_noise_distribution_for_the_usual_exponents_is_the_direct_power_bit_for_bit():
    counts = np.array([1000, 500, 120, 7, 3, 1, 1], dtype=np.int64)
    for exponent in (0.75, 0.5, 1.0, 0.0):
        direct = counts.astype(np.float64) ** exponent
        assert negative_distribution(counts, exponent).tobytes() == (direct / direct.sum()).tobytes()


def test_noise_distribution_with_huge_exponents_stays_finite():
    # ns_exponent=1000 overflowed counts**1000 to inf and gave NaN probabilities (training then exited 0)
    counts = np.array([1000, 500, 120, 7, 3, 1, 1], dtype=np.int64)
    with np.errstate(all="raise"):
        p = negative_distribution(counts, 1000)
    assert np.isfinite(p).all() and abs(p.sum() - 1.0) < 1e-12
    # (500/1000)**1000 through logs, the rest underflows
    assert p[0] == 1.0 and p[1] == pytest.approx(0.5 ** 1000, rel=1e-9) and p[2:].max() == 0.0
    prob, alias = build_alias(p)
    assert np.isfinite(prob).all()
    np.testing.assert_allclose(alias_distribution(prob, alias), p, atol=1e-7)
    # the other way round: the two rarest words share the mass
    q = negative_distribution(counts, -1000)
    assert q.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5]
    # an exponent of -2 with a word of count 0: that word is never drawn
    r = negative_distribution(np.array([0, 1, 2]), -2)
    np.testing.assert_allclose(r, [0.0, 0.8, 0.2])
    with pytest.raises(embkit.exceptions.InvalidParameterError, match="ns_exponent must be a finite number"):
        negative_distribution(counts, float("inf"))


@pytest.mark.parametrize("exponent", [10.0, -10.0])
def test_training_at_the_exponent_bounds_warns_of_nothing(tiny_corpus, exponent):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = w2v.SkipGram(dim=4, epochs=1, min_count=1, threads=1, sample=0, ns_exponent=exponent,
                         progress=False).fit(tiny_corpus)
    assert np.isfinite(m.wv.vectors).all() and m.training_[0]["examples"] > 0
