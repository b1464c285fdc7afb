"""GloVe: the kernel and the seeded shuffle against the NumPy oracle, reproducibility, checkpoints, bad input."""
import logging

import numpy as np
import pytest
import scipy.sparse
from reference import reference_glove_epoch, reference_shuffle

import embkit
from embkit.corpus.cooccur import Cooccurrence
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import CorpusError, InvalidParameterError, TrainingDivergedError, UnknownParameterError
from embkit.kernels.rng import chunk_seeds
from embkit.models import glove as G

TEXT = ("the cat sat on the mat\nthe dog sat on the log\na cat and a dog\nthe bird sang\n"
        "on the mat the cat sat\ndog and cat and bird\n")


@pytest.fixture
def enc(tmp_path):
    (tmp_path / "c.txt").write_text(TEXT * 3, encoding="utf-8")
    return EncodedCorpus.encode(str(tmp_path / "c.txt"), min_count=1, progress=False)


def _glove(**kw):
    kw = {"dim": 6, "epochs": 3, "min_count": 1, "threads": 1, "progress": False, "seed": 3, **kw}
    return embkit.GloVe(**kw)


@pytest.mark.parametrize("scale", [1.0, 40.0])                  # 40: large starting vectors, clipped gradients
def test_training_matches_the_reference(enc, monkeypatch, scale):
    monkeypatch.setattr(G, "BLOCK_PAIRS", 7)                   # several blocks, the last one short
    real = G._initial_state

    def scaled(vocab, dim, seed):
        s = real(vocab, dim, seed)
        s["w"] *= np.float32(scale)
        s["c"] *= np.float32(scale)
        return s
    monkeypatch.setattr(G, "_initial_state", scaled)
    params = dict(alpha=0.1, x_max=3.0, weight_exponent=0.75, window=3, vectors="w")
    model = _glove(**params).fit(enc)
    start = _glove(**{**params, "epochs": 0}).fit(enc).wv
    m = model.cooccurrence_.matrix
    assert m.nnz > 40 and m.data.max() > 3.0 and m.data.min() < 3.0     # both branches of the weighting
    n_blocks = -(-m.nnz // 7)
    pairs = reference_shuffle(m, int(chunk_seeds(3, 2**32, 1)[0]), chunk_seeds(3, 2**32 + 1, n_blocks))
    st = {"w": start.vectors.copy(), "c": start.context.copy(), "bw": np.zeros(len(enc.vocab), np.float32),
          "bc": np.zeros(len(enc.vocab), np.float32)}
    st.update(gw=np.ones_like(st["w"]), gc=np.ones_like(st["w"]), gbw=np.ones_like(st["bw"]),
              gbc=np.ones_like(st["bw"]))
    costs, unclipped = [], {k: v.copy() for k, v in st.items()}
    for e in range(3):
        order = np.random.default_rng([3, e, 0x610E]).permutation(n_blocks)
        cost, trained = reference_glove_epoch(pairs, 7, order, chunk_seeds(3, e, n_blocks), st, 0.1, 3.0, 0.75)
        reference_glove_epoch(pairs, 7, order, chunk_seeds(3, e, n_blocks), unclipped, 0.1, 3.0, 0.75, clip=np.inf)
        assert trained == m.nnz
        costs.append(cost)
    assert np.array_equal(unclipped["w"], st["w"]) == (scale == 1.0)     # the large start hits the clip
    np.testing.assert_allclose([r["loss_sum"] for r in model.training_], costs, rtol=1e-5)
    np.testing.assert_allclose([r["cost"] for r in model.training_], np.array(costs) / m.nnz, rtol=1e-5)
    assert costs[2] < costs[0]
    np.testing.assert_allclose(model.wv.vectors, st["w"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.wv.context, st["c"], rtol=1e-4, atol=1e-6)
    assert np.abs(model.wv.vectors - start.vectors).max() > 0.01


def test_shuffle_is_a_permutation_drawn_from_the_seed(enc):
    from embkit.kernels.glove import shuffle_pairs

    m = embkit.cooccur(enc, window=2, progress=False).matrix
    out = [np.empty(m.nnz, np.int32), np.empty(m.nnz, np.int32), np.empty(m.nnz, np.float32)]
    seeds = chunk_seeds(5, 9, 4)
    shuffle_pairs(m.indptr, m.indices, m.data, 12345, seeds, *out)
    expected = reference_shuffle(m, 12345, seeds)
    assert list(zip(out[0].tolist(), out[1].tolist(), out[2].tolist())) == expected
    coo = m.tocoo()
    assert sorted(zip(out[0].tolist(), out[1].tolist())) == sorted(zip(coo.row.tolist(), coo.col.tolist()))


def test_one_thread_with_a_seed_is_bit_reproducible_and_seeds_differ(enc):
    a, b = _glove().fit(enc).wv, _glove().fit(enc).wv
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, _glove(seed=4).fit(enc).wv.vectors)
    several = _glove(threads=2).fit(enc).wv
    assert several.vectors.shape == a.vectors.shape and np.isfinite(several.vectors).all()


def test_vectors_counts_and_meta(enc):
    model = _glove().fit(enc)
    kv = model.wv
    np.testing.assert_array_equal(kv.counts, enc.vocab.counts)
    w_only = _glove(vectors="w").fit(enc).wv
    np.testing.assert_allclose(kv.vectors, w_only.vectors + w_only.context, rtol=1e-6)
    meta = kv.meta
    assert meta["model"] == "glove" and meta["params"]["x_max"] == 100.0 and meta["params"]["window"] == 10
    assert [r["epoch"] for r in meta["training"]["epochs"]] == [1, 2, 3]
    assert all({"cost", "pairs", "seconds"} <= set(r) for r in meta["training"]["epochs"])
    assert meta["cooccurrence"]["weighting"] == "harmonic" and meta["cooccurrence"]["nnz"] > 0
    assert meta["corpus"]["raw_tokens"] == enc.raw_tokens


def test_min_alpha_and_other_word2vec_names_are_refused():
    with pytest.raises(UnknownParameterError, match="no parameter 'min_alpha' .*AdaGrad keeps alpha constant"):
        embkit.GloVe(min_alpha=0.01)
    with pytest.raises(UnknownParameterError, match="'eta' \\(embkit calls it 'alpha'\\)"):
        embkit.GloVe(eta=0.05)
    with pytest.raises(InvalidParameterError, match="x_max must be"):
        embkit.GloVe(x_max=0).check_params()
    with pytest.raises(InvalidParameterError, match="checkpoint_every needs a checkpoint path"):
        _glove(checkpoint_every=1).fit([["a", "b"]])


def test_resumed_single_thread_run_equals_an_uninterrupted_one(enc, tmp_path):
    ckpt = tmp_path / "m.checkpoint"
    _glove(epochs=2, checkpoint_every=2).fit(enc, checkpoint=ckpt)
    resumed = _glove(epochs=5).fit(enc, resume=ckpt)
    whole = _glove(epochs=5).fit(enc)
    np.testing.assert_array_equal(resumed.wv.vectors, whole.wv.vectors)
    np.testing.assert_array_equal(resumed.wv.context, whole.wv.context)
    assert [r["cost"] for r in resumed.training_] == [r["cost"] for r in whole.training_]
    with pytest.raises(InvalidParameterError, match="the checkpoint was made with dim=6"):
        _glove(dim=5, epochs=5).fit(enc, resume=ckpt)
    with pytest.raises(InvalidParameterError, match="has 2 epochs, more than epochs=1"):
        _glove(epochs=1).fit(enc, resume=ckpt)


def test_a_checkpoint_write_killed_midway_leaves_the_previous_one(enc, tmp_path, monkeypatch):
    ckpt = tmp_path / "m.checkpoint"
    _glove(epochs=2, checkpoint_every=1).fit(enc, checkpoint=ckpt)
    before = ckpt.read_bytes()
    real = np.savez

    def dies_midway(f, **arrays):
        f.write(b"partial")
        raise KeyboardInterrupt                 # as a process killed during the write: the rename never happens
    monkeypatch.setattr(np, "savez", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        _glove(epochs=4, checkpoint_every=1).fit(enc, checkpoint=ckpt, resume=ckpt)
    monkeypatch.setattr(np, "savez", real)
    assert ckpt.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt", "m.checkpoint"]     # no temporary left
    resumed = _glove(epochs=4).fit(enc, resume=ckpt)
    np.testing.assert_array_equal(resumed.wv.vectors, _glove(epochs=4).fit(enc).wv.vectors)


def test_non_finite_values_stop_training_with_a_clear_error(enc, monkeypatch):
    real = G._initial_state

    def broken(vocab, dim, seed):
        s = real(vocab, dim, seed)
        s["w"][0, 0] = np.inf
        return s
    monkeypatch.setattr(G, "_initial_state", broken)
    with pytest.raises(TrainingDivergedError, match=r"training glove diverged: \d+ pair\(s\) with a non-finite cost "
                                                    r"in epoch 1; lower alpha \(now 0.05\)"):
        _glove().fit(enc)


def _counts(dense, words, **settings):
    vocab = Vocabulary(words, np.arange(len(words), 0, -1) * 10)
    return Cooccurrence(scipy.sparse.csr_matrix(np.asarray(dense, float)), vocab, settings)


def test_fit_on_given_counts_and_their_bad_forms(caplog):
    dense = np.array([[0, 2, 1], [2, 0, 3], [1, 3, 0]])
    model = _glove().fit(_counts(dense, ["a", "b", "c"], window=4, weighting="uniform"))
    assert model.wv.index_to_key == ["a", "b", "c"] and model.wv.counts.tolist() == [30, 20, 10]
    assert model.wv.meta["params"]["window"] == 4 and model.wv.meta["params"]["weighting"] == "uniform"
    with pytest.raises(InvalidParameterError, match=r"window=7 \(the counts have 4\)"):
        _glove(window=7).fit(_counts(dense, ["a", "b", "c"], window=4))
    with pytest.raises(CorpusError, match="no co-occurrence to train on: every sentence holds a single word"):
        _glove().fit(_counts(np.zeros((2, 2)), ["a", "b"]))
    bad = _counts(dense, ["a", "b", "c"])
    bad.matrix.data[0] = np.nan
    with pytest.raises(CorpusError, match="1 NaN or infinite values"):
        _glove().fit(bad)
    with caplog.at_level(logging.WARNING, logger="embkit"):
        one = _glove().fit(_counts([[4.0]], ["a"]))
    assert one.wv.vectors.shape == (1, 6) and "a single word" in caplog.text


def test_counts_are_cached_per_corpus_and_setting(tmp_path, caplog):
    (tmp_path / "c.txt").write_text(TEXT, encoding="utf-8")
    path = str(tmp_path / "c.txt")
    first = _glove(epochs=1).fit(path)
    with caplog.at_level(logging.INFO, logger="embkit"):
        second = _glove(epochs=1).fit(path)
    assert "using cached co-occurrence table" in caplog.text
    assert (first.cooccurrence_.matrix != second.cooccurrence_.matrix).nnz == 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="embkit"):
        _glove(epochs=1, window=3).fit(path)
        _glove(epochs=1, cache=False).fit(path)
    assert "using cached co-occurrence table" not in caplog.text
