"""Orthogonal Procrustes: a known rotation is recovered, the anchor rule, errors."""
import numpy as np
import pytest

from embkit.exceptions import EmbkitError
from embkit.postprocess.align import anchor_words, procrustes_align, procrustes_rotation
from embkit.vectors import KeyedVectors


def _rotation(dim, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))


def test_a_synthetic_rotation_is_recovered():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    a = rng.normal(size=(40, 6))
    q = _rotation(6, 1)
    kv = KeyedVectors(words, a, counts=np.full(40, 50), context=a * 2, meta={"model": "cbow"})
    ref = KeyedVectors(words, a @ q, counts=np.full(40, 50))
    rotation, used = procrustes_rotation(kv, ref)
    assert used == words
    np.testing.assert_allclose(rotation, q, atol=1e-6)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(6), atol=1e-12)
    out = procrustes_align(kv, ref)
    np.testing.assert_allclose(out.vectors, ref.vectors, atol=1e-5)
    np.testing.assert_allclose(out.context, (a * 2) @ q, atol=1e-5)
    assert out.meta["model"] == "cbow" and out.meta["alignment"] == {"method": "procrustes", "anchors": 40,
                                                                     "anchor_min_count": 20}
    assert out.counts.tolist() == kv.counts.tolist() and kv.vectors is not out.vectors


def test_a_rotation_fitted_on_some_words_moves_the_others_too():
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(30)]
    a = rng.normal(size=(30, 4))
    q = _rotation(4, 3)
    counts = np.where(np.arange(30) < 10, 100, 3)          # only the first ten are anchors
    kv = KeyedVectors(words, a, counts=counts)
    ref = KeyedVectors(words[::-1], (a @ q)[::-1], counts=counts[::-1])    # other row order: matched by word
    assert anchor_words(kv, ref, 20) == [f"w{i}" for i in range(9, -1, -1)]
    out = procrustes_align(kv, ref, min_count=20)
    np.testing.assert_allclose(out.vectors, a @ q, atol=1e-5)
    assert out.meta["alignment"]["anchors"] == 10


def test_anchor_rule_and_errors():
    kv = KeyedVectors(["a", "b", "c"], np.eye(3), counts=[30, 5, 30])
    ref = KeyedVectors(["c", "a", "d"], np.eye(3), counts=[30, 30, 30])
    assert anchor_words(kv, ref, 20) == ["c", "a"]
    assert anchor_words(kv, ref, 1) == ["c", "a"]
    assert anchor_words(KeyedVectors(["a", "c"], np.eye(2)), KeyedVectors(["c", "a"], np.eye(2)), 99) == ["c", "a"]
    with pytest.raises(EmbkitError, match="no anchor words"):
        procrustes_rotation(kv, ref, min_count=100)
    with pytest.raises(EmbkitError, match="not in both vocabularies, e.g. 'b'"):
        procrustes_rotation(kv, ref, anchors=["a", "b"])
    with pytest.raises(EmbkitError, match="dim 3 to vectors of dim 2"):
        procrustes_rotation(kv, KeyedVectors(["a"], np.ones((1, 2))))
