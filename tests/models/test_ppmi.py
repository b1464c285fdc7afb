"""PPMI-SVD: the PPMI matrix against the dense oracle, the SVDs against LAPACK, the estimator, bad input."""
import numpy as np
import pytest
import scipy.sparse
from reference import reference_ppmi

import embkit
from embkit.corpus.cooccur import Cooccurrence
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import InvalidParameterError, KeyNotFoundError, UnknownParameterError
from embkit.models import ppmi
from embkit.models.ppmi import arpack_svd, ppmi_matrix, randomized_svd, svd_flip


def _random_counts(n=30, density=0.3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, (n, n)) * (rng.random((n, n)) < density)
    x[0, 1] = 5                                  # every row and column non-empty enough
    return scipy.sparse.csr_matrix((x + x.T).astype(float))


@pytest.mark.parametrize("cds, negative", [(1.0, 1), (0.75, 1), (0.75, 5), (0.5, 15)])
def test_ppmi_matches_the_dense_reference(cds, negative):
    x = _random_counts()
    got = ppmi_matrix(x, cds, negative)
    np.testing.assert_allclose(got.toarray(), reference_ppmi(x.toarray(), cds, negative), rtol=1e-12, atol=1e-12)
    assert (got.nnz == 0 or got.data.min() > 0) and got.has_sorted_indices and got.indices.dtype == np.int32
    stored_zero = x.copy()
    stored_zero.data[0] = 0.0                        # an explicit zero is no co-occurrence
    dense = stored_zero.toarray()
    np.testing.assert_allclose(ppmi_matrix(stored_zero, cds, negative, np.float32).toarray(),
                               reference_ppmi(dense, cds, negative), rtol=1e-6, atol=1e-6)
    assert stored_zero.data[0] == 0.0 and x.data[0] != 0.0               # the input is not modified


def test_svd_flip_makes_the_largest_entry_of_each_u_column_positive():
    u = np.array([[1.0, -3.0], [-2.0, 1.0]])
    vt = np.array([[1.0, 1.0], [2.0, 2.0]])
    u2, vt2 = svd_flip(u.copy(), vt.copy())
    np.testing.assert_array_equal(u2, [[-1.0, 3.0], [2.0, -1.0]])
    np.testing.assert_array_equal(vt2, [[-1.0, -1.0], [-2.0, -2.0]])


@pytest.mark.parametrize("method", ["randomized", "arpack"])
def test_truncated_svds_agree_with_lapack(method):
    a = ppmi_matrix(_random_counts(60, 0.2, seed=1))
    k = 5
    # a random matrix has a flat spectrum: enough power iterations for the sketch to converge to its top 5
    u, s, vt = randomized_svd(a, k, seed=3, iterations=30) if method == "randomized" else arpack_svd(a, k, seed=3)
    U, S, VT = np.linalg.svd(a.toarray())
    U, VT = svd_flip(U[:, :k].copy(), VT[:k].copy())
    np.testing.assert_allclose(s, S[:k], rtol=1e-5)
    np.testing.assert_allclose(u, U, atol=2e-3)
    np.testing.assert_allclose(vt, VT, atol=2e-3)
    assert u.dtype == np.float32 and s.dtype == np.float64
    again = randomized_svd(a, k, seed=3, iterations=30) if method == "randomized" else arpack_svd(a, k, seed=3)
    np.testing.assert_array_equal(again[0], u)


def _counts(dense, words):
    return Cooccurrence(scipy.sparse.csr_matrix(np.asarray(dense, float)), Vocabulary(words, range(len(words), 0, -1)),
                        {"window": 2, "weighting": "uniform", "context": "both", "sample": 0.0})


def test_vectors_are_u_times_s_to_the_eig_and_keep_counts(monkeypatch):
    monkeypatch.setattr(ppmi, "POWER_ITERATIONS", 30)
    x = _random_counts(40, 0.25, seed=2)
    words = [f"w{i}" for i in range(40)]
    model = embkit.PPMISVD(dim=4, eig=0.5, threads=1, progress=False).fit(_counts(x.toarray(), words))
    U, S, VT = np.linalg.svd(ppmi_matrix(x).toarray())
    U, VT = svd_flip(U[:, :4].copy(), VT[:4].copy())
    np.testing.assert_allclose(model.singular_values_, S[:4], rtol=1e-5)
    np.testing.assert_allclose(model.wv.vectors, U * np.sqrt(S[:4]), atol=5e-3)
    np.testing.assert_allclose(model.wv.context, VT.T * np.sqrt(S[:4]), atol=5e-3)
    assert model.wv.counts.tolist() == list(range(40, 0, -1))
    both = embkit.PPMISVD(dim=4, eig=0.0, vectors="w+c", threads=2, progress=False).fit(_counts(x.toarray(), words))
    np.testing.assert_allclose(both.wv.vectors, U + VT.T, atol=5e-3)
    meta = model.wv.meta
    assert meta["model"] == "ppmi-svd" and meta["params"]["cds"] == 0.75 and meta["svd"]["method"] == "randomized"
    assert meta["cooccurrence"]["window"] == 2


def test_explicit_ppmi_similarity():
    dense = np.array([[0, 4, 1, 0], [4, 0, 0, 1], [1, 0, 0, 3], [0, 1, 3, 0]], float)
    model = embkit.PPMISVD(dim=2, cds=1.0, threads=1, progress=False).fit(_counts(dense, ["a", "b", "c", "d"]))
    ppmi = reference_ppmi(dense, 1.0, 1)
    unit = ppmi / np.linalg.norm(ppmi, axis=1, keepdims=True)
    assert model.explicit_similarity("a", "d") == pytest.approx(float(unit[0] @ unit[3]))
    ranked = model.explicit_most_similar("a", topn=3)
    scores = unit[1:] @ unit[0]
    assert [w for w, _ in ranked] == [["b", "c", "d"][i] for i in np.argsort(-scores, kind="stable")]
    assert ranked[0][1] == pytest.approx(float(scores.max()))
    with pytest.raises(KeyNotFoundError):
        model.explicit_similarity("a", "zzz")


def test_ppmi_on_a_corpus_and_bad_settings(tmp_path):
    (tmp_path / "c.txt").write_text("the cat sat on the mat\nthe dog sat on the log\n" * 5)
    model = embkit.PPMISVD(dim=3, min_count=1, progress=False).fit(str(tmp_path / "c.txt"))
    assert model.wv.vectors.shape == (7, 3) and model.wv.meta["params"]["window"] == 2
    again = embkit.PPMISVD(dim=3, min_count=1, progress=False, threads=1).fit(str(tmp_path / "c.txt"))
    np.testing.assert_array_equal(model.wv.vectors, again.wv.vectors)       # threads do not matter
    with pytest.raises(InvalidParameterError, match=r"dim \(7\) must be below the vocabulary size \(7 words\)"):
        embkit.PPMISVD(dim=7, min_count=1, progress=False).fit(str(tmp_path / "c.txt"))
    with pytest.raises(InvalidParameterError, match="dim .* below the vocabulary size .1 words"):
        embkit.PPMISVD(dim=2, progress=False).fit(_counts([[3.0]], ["a"]))
    with pytest.raises(UnknownParameterError, match="'epochs' \\(not needed: the SVD is computed"):
        embkit.PPMISVD(epochs=3)
    with pytest.raises(InvalidParameterError, match="eig must be"):
        embkit.PPMISVD(eig=2.0).check_params()


def test_sparse_times_dense_kernel_matches_scipy_with_empty_rows_and_threads():
    from embkit._numba import available_threads, numba_threads
    from embkit.kernels.sparse import csr_dense

    dense = scipy.sparse.random(50, 40, density=0.1, random_state=4, dtype=np.float32).toarray()
    dense[3] = 0                                                  # an empty row
    a = scipy.sparse.csr_matrix(dense)
    x = np.random.default_rng(5).standard_normal((40, 7)).astype(np.float32)
    for threads in (1, 2):
        out = np.full((50, 7), np.nan, np.float32)
        with numba_threads(min(threads, available_threads())):
            csr_dense(a.indptr, a.indices, a.data, x, out)
        np.testing.assert_allclose(out, a @ x, rtol=1e-5, atol=1e-6)
        assert not out[3].any()
