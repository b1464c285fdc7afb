"""Post-processing of subword models: whitening, Procrustes and retrofitting keep the own and n-gram rows consistent."""
import numpy as np

import embkit
from embkit.corpus.subwords import compose, ngram_csr
from embkit.postprocess.align import procrustes_align
from embkit.postprocess.rows import map_rows, with_vectors
from embkit.subword_vectors import SubwordVectors

WORDS = ["cat", "cats", "dog", "dogs", "bird"]


def subword_model():
    rng = np.random.default_rng(3)
    return SubwordVectors(WORDS, rng.normal(size=(5, 4)), rng.normal(size=(13, 4)), minn=2, maxn=3,
                          counts=[9, 5, 4, 3, 2], meta={"m": 1})


def recomposed(kv):
    indptr, ids = ngram_csr(kv.index_to_key, kv.minn, kv.maxn, kv.bucket)
    return compose(np.array(kv.word_rows), np.array(kv.ngram_vectors), indptr, ids)


def test_map_rows_maps_every_row_so_unseen_words_follow():
    kv = subword_model()
    mean = np.array([0.5, -1.0, 0.0, 2.0])
    a = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0], [1.0, 1.0, 1.0]])
    out = map_rows(kv, mean, a, {"x": 1})
    assert isinstance(out, SubwordVectors) and out.dim == 3 and out.meta == {"x": 1}
    np.testing.assert_allclose(out.word_rows, (kv.word_rows - mean) @ a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out.ngram_vectors, (kv.ngram_vectors - mean) @ a, rtol=1e-5, atol=1e-5)
    # the mean of mapped rows is the mapped mean: in-vocabulary and composed words agree with the rows
    np.testing.assert_allclose(recomposed(out), out.vectors, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["cattle"], (kv["cattle"] - mean) @ a, rtol=1e-5, atol=1e-5)
    assert kv.counts.tolist() == out.counts.tolist() and out.counts is not kv.counts


def test_whitened_subword_model_survives_a_fasttext_bin_round_trip(tmp_path):
    kv = subword_model()
    w = embkit.whiten(kv, method="center")
    np.testing.assert_allclose(w.vectors.mean(axis=0), 0, atol=1e-6)
    embkit.save(w, tmp_path / "w.bin", format="fasttext-bin")
    back = embkit.load(tmp_path / "w.bin")
    np.testing.assert_allclose(back.vectors, w.vectors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(back["birds"], w["birds"], rtol=1e-5, atol=1e-6)


def test_procrustes_rotates_a_subword_model_whole():
    kv = subword_model()
    theta = 0.3
    rot = np.eye(4)
    rot[:2, :2] = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    reference = embkit.KeyedVectors(WORDS, kv.vectors @ rot, counts=kv.counts)
    out = procrustes_align(kv, reference, min_count=1)
    assert isinstance(out, SubwordVectors)
    np.testing.assert_allclose(out.vectors, reference.vectors, atol=1e-5)
    np.testing.assert_allclose(out["doggo"], kv["doggo"] @ rot, atol=1e-5)
    np.testing.assert_allclose(recomposed(out), out.vectors, atol=1e-5)


def test_with_vectors_moves_own_rows_only():
    kv = subword_model()
    new = kv.vectors.copy()
    new[2] += [1.0, 0.0, -2.0, 0.5]                     # only "dog" moves
    out = with_vectors(kv, new, {"r": 1})
    np.testing.assert_allclose(recomposed(out), new, atol=1e-5)
    n_rows = 1 + len(kv.ngrams("dog"))
    assert n_rows == 1 + 4 + 3                           # <d do og g> and <do dog og>
    np.testing.assert_allclose(out.word_rows[2] - kv.word_rows[2], n_rows * np.array([1.0, 0.0, -2.0, 0.5]),
                               rtol=1e-5)
    assert out.ngram_vectors is kv.ngram_vectors
    np.testing.assert_array_equal(out.word_rows[[0, 1, 3, 4]], kv.word_rows[[0, 1, 3, 4]])


def test_with_vectors_on_word_vectors():
    kv = embkit.KeyedVectors(["a", "b"], [[1.0, 0.0], [0.0, 1.0]], counts=[2, 1])
    out = with_vectors(kv, [[2.0, 2.0], [0.0, 0.0]], {})
    assert type(out) is embkit.KeyedVectors and out.vectors.tolist() == [[2.0, 2.0], [0.0, 0.0]]
    assert not hasattr(out, "word_rows")
