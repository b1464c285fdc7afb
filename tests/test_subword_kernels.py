"""The fastText kernels against the NumPy oracle in reference.py, on a tiny vocabulary with every edge."""
import numpy as np
import pytest
from reference import reference_fasttext_epoch

import embkit.models._training as training
from embkit.corpus.encoded import EncodedCorpus
from embkit.kernels.rng import chunk_seeds
from embkit.kernels.sampling import build_alias, keep_probabilities, negative_distribution
from embkit.models.fasttext import FastText

ft_inner = pytest.importorskip("gensim.models.fasttext_inner")

# short words ('a': one n-gram '<a>' with minn 3; 'ox'), a word with repeated n-grams ('aaaa'), fastText's
# end-of-line word written literally (no n-grams), non-ASCII words, a single-word line, a line split in two
TINY = """the cat sat on the mat
the dog sat a ox
cat
the cat and the dog and the bird sat on the mat by the door aaaa
bird dog cat the the the </s> głowa
on the mat 日本語 a
"""
PARAMS = dict(dim=6, window=3, negative=3, sample=0.05, alpha=0.05, min_alpha=0.001, epochs=2, seed=11,
              min_count=1, threads=1, progress=False, minn=3, maxn=4, bucket=7)


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("ft") / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    return EncodedCorpus.encode(str(path), min_count=1, max_sentence_length=9, cache=False, progress=False)


def subword_rows(words, minn, maxn, bucket):
    """Each word's input rows, from gensim's n-grams and hash (fastText gives '</s>' none)."""
    n = len(words)
    return [[i] + ([] if w == "</s>" else
                   [n + ft_inner.ft_hash_bytes(g) % bucket for g in ft_inner.compute_ngrams_bytes(w, minn, maxn)])
            for i, w in enumerate(words)]


def reference_fit(enc, sg, params, chunk_tokens, position_weights=False):
    """Replays FastText.fit's schedule with the oracle; returns (w_in, w_out, pos_w, records)."""
    wv = FastText(sg=sg, **{**params, "epochs": 0}).fit(enc).wv
    w_in = np.vstack([wv.word_rows, wv.ngram_vectors])
    w_out = np.zeros_like(wv.word_rows)
    subrows = subword_rows(enc.vocab.words, params["minn"], params["maxn"], params["bucket"])
    prob, alias = build_alias(negative_distribution(enc.vocab.counts, 0.5))
    keep = keep_probabilities(enc.vocab.counts, params["sample"])
    pos_w = np.ones((2 * params["window"], params["dim"]), np.float32) if position_weights else None
    bounds = enc.chunks(chunk_tokens)
    epochs, alpha, min_alpha = params["epochs"], params["alpha"], params["min_alpha"]
    n = len(enc.tokens)
    records = []
    for e in range(epochs):
        lr_start = alpha - (alpha - min_alpha) * (e * n) / (epochs * n)
        lr_end = alpha - (alpha - min_alpha) * (e * n + n) / (epochs * n)
        seeds = chunk_seeds(params["seed"], e, len(bounds) - 1)
        records.append(reference_fasttext_epoch(
            sg, enc.tokens, enc.offsets, bounds, seeds, w_in, w_out, subrows, prob, alias, keep, lr_start, lr_end,
            params["window"], params["negative"], share_negatives=params.get("share_negatives", False), pos_w=pos_w))
    return w_in, w_out, pos_w, records


def test_tiny_vocabulary_has_the_edges(tiny_corpus):
    words = tiny_corpus.vocab.words
    assert {"a", "ox", "aaaa", "</s>", "głowa", "日本語"} <= set(words)
    rows = dict(zip(words, subword_rows(words, 3, 4, 7)))
    assert rows["</s>"] == [words.index("</s>")]
    assert len(rows["a"]) == 2                                  # its row and '<a>'
    assert len(rows["aaaa"]) != len(set(rows["aaaa"]))          # repeated n-grams (and bucket collisions)


@pytest.mark.parametrize("sg, share, weighted", [(True, False, False), (True, True, False), (False, False, False),
                                                 (False, False, True)])
@pytest.mark.parametrize("chunk_tokens", [4, 10000])
def test_kernel_matches_reference(tiny_corpus, monkeypatch, sg, share, weighted, chunk_tokens):
    monkeypatch.setattr(training, "CHUNK_TOKENS", chunk_tokens)
    params = dict(PARAMS, share_negatives=share)
    model = FastText(sg=sg, position_weights=weighted, **params).fit(tiny_corpus)
    w_in, w_out, pos_w, records = reference_fit(tiny_corpus, sg, params, chunk_tokens, weighted)
    n_words = len(tiny_corpus.vocab)
    keep = keep_probabilities(tiny_corpus.vocab.counts, params["sample"])
    assert keep[0] < 0.8 and keep[-1] == 1.0                     # subsampling is active
    assert [r["tokens_trained"] for r in model.training_] == [k for _, _, k in records]
    assert [r["examples"] for r in model.training_] == [x for _, x, _ in records]
    np.testing.assert_allclose([r["loss_sum"] for r in model.training_], [x for x, _, _ in records], rtol=1e-5)
    np.testing.assert_allclose(model.wv.word_rows, w_in[:n_words], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.wv.ngram_vectors, w_in[n_words:], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.wv.context, w_out, rtol=1e-4, atol=1e-6)
    assert np.abs(model.wv.context).max() > 0.01                # training really moved the output vectors
    if weighted:
        np.testing.assert_allclose(model.position_weights_, pos_w, rtol=1e-4, atol=1e-6)
        assert np.abs(pos_w - 1).max() > 1e-7                   # the weights were trained
    else:
        assert model.position_weights_ is None


@pytest.mark.parametrize("sg", [True, False])
def test_frozen_matrices_stay_as_given(tiny_corpus, sg):
    first = FastText(sg=sg, **PARAMS).fit(tiny_corpus).wv
    model = FastText(sg=sg, init_in=first, init_out=first, train_in=False, train_out=False, **PARAMS).fit(tiny_corpus)
    np.testing.assert_array_equal(model.wv.word_rows, first.word_rows)
    np.testing.assert_array_equal(model.wv.ngram_vectors, first.ngram_vectors)
    np.testing.assert_array_equal(model.wv.context, first.context)
    assert model.training_[0]["examples"] > 0 and model.training_[0]["loss_sum"] > 0
