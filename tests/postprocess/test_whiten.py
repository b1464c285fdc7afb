"""Whitening, centring and all-but-the-top against hand-computed values on tiny matrices."""
import math

import numpy as np
import pytest

from embkit import KeyedVectors
from embkit.exceptions import EmbkitError, InvalidParameterError
from embkit.postprocess.frequencies import NoCountsError
from embkit.postprocess.whiten import (
    apply_affine,
    weighted_moments,
    whiten,
    whitening_transform,
)

# three words in 2-D; counts 2, 1, 1 -> p = (1/2, 1/4, 1/4)
W3 = [[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]]
P3 = np.array([0.5, 0.25, 0.25])


def kv3(**kw):
    return KeyedVectors(["a", "b", "c"], W3, counts=[2, 1, 1], **kw)


def test_weighted_mean_and_covariance_by_hand():
    mean, cov = weighted_moments(W3, [2, 1, 1])
    # mu = (.5 + .25, .5 + .5); C = sum p (w - mu)(w - mu)^T
    np.testing.assert_allclose(mean, [0.75, 1.0])
    np.testing.assert_allclose(cov, [[0.1875, -0.25], [-0.25, 1.0]])
    mean, cov = weighted_moments(W3)                   # uniform
    np.testing.assert_allclose(mean, [2 / 3, 4 / 3])
    np.testing.assert_allclose(cov, [[2 / 9, -2 / 9], [-2 / 9, 8 / 9]])


def test_weighted_moments_in_chunks_match(monkeypatch):
    import embkit.postprocess.whiten as wh
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    p = rng.random(50)
    ref = weighted_moments(x, p)
    monkeypatch.setattr(wh, "_CHUNK_ROWS", 7)
    got = weighted_moments(x, p)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-12)


def test_eigenvalues_of_the_zipfian_covariance_by_hand():
    # C = [[3/16, -1/4], [-1/4, 1]]: trace 19/16, determinant 1/8
    _, lam = whitening_transform([[0.1875, -0.25], [-0.25, 1.0]])
    disc = math.sqrt((19 / 16) ** 2 - 0.5)
    np.testing.assert_allclose(lam, [(19 / 16 + disc) / 2, (19 / 16 - disc) / 2])


def test_zipfian_whitening_gives_identity_weighted_covariance():
    out = whiten(kv3(), eps=0)
    x = out.vectors.astype(np.float64)
    np.testing.assert_allclose(P3 @ x, [0, 0], atol=1e-6)
    np.testing.assert_allclose((x * P3[:, None]).T @ x, np.eye(2), atol=1e-6)
    # squared norms are the Mahalanobis norms (w - mu)^T C^-1 (w - mu), C^-1 = [[8, 2], [2, 1.5]]
    np.testing.assert_allclose((x ** 2).sum(1), [1.0, 3.0, 3.0], rtol=1e-5)
    cos = x[1] @ x[2] / np.sqrt(3 * 3)
    assert cos == pytest.approx(-1 / 3, abs=1e-5)


def test_uniform_whitening_by_hand():
    out = whiten(kv3(), method="uniform", eps=0)
    x = out.vectors.astype(np.float64)
    np.testing.assert_allclose(x.mean(0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(x.T @ x / 3, np.eye(2), atol=1e-6)
    # three points in 2-D: every (w - mu)^T C^-1 (w - mu) is 2, C^-1 = [[6, 1.5], [1.5, 1.5]]
    np.testing.assert_allclose((x ** 2).sum(1), [2.0, 2.0, 2.0], rtol=1e-5)


# centred, axis-aligned: covariance diag(6, 2), top direction the x axis
WA = [[3.0, 1.0], [-3.0, 1.0], [0.0, -2.0]]


def test_uniform_whitening_axis_aligned_and_keep():
    kv = KeyedVectors(["a", "b", "c"], WA)
    np.testing.assert_allclose(whiten(kv, method="uniform", eps=0).vectors,
                               [[3 / math.sqrt(6), 1 / math.sqrt(2)], [-3 / math.sqrt(6), 1 / math.sqrt(2)],
                                [0, -2 / math.sqrt(2)]], rtol=1e-6, atol=1e-7)
    kept = whiten(kv, method="uniform", keep=1, eps=0)
    assert kept.dim == 1
    # sign rule: the eigenvector's largest entry is positive, so the x axis keeps its sign
    np.testing.assert_allclose(kept.vectors[:, 0], [3 / math.sqrt(6), -3 / math.sqrt(6), 0], atol=1e-6)


def test_center_and_abtt_by_hand():
    kv = KeyedVectors(["a", "b", "c"], np.array(WA) + [10.0, 5.0])
    np.testing.assert_allclose(whiten(kv, method="center").vectors, WA, atol=1e-6)
    # remove the top component (the x axis): only the y coordinates are left
    np.testing.assert_allclose(whiten(kv, method="abtt", remove=1).vectors, [[0, 1], [0, 1], [0, -2]],
                               atol=1e-6)


def test_abtt_default_removes_dim_over_100_at_least_one():
    rng = np.random.default_rng(1)
    kv = KeyedVectors([f"w{i}" for i in range(400)], rng.normal(size=(400, 250)) * np.linspace(3, 1, 250))
    out = whiten(kv, method="abtt")
    assert out.meta["postprocess"][-1]["remove"] == 2
    kv_small = KeyedVectors(["a", "b", "c"], WA)
    assert whiten(kv_small, method="abtt").meta["postprocess"][-1]["remove"] == 1
    # the output has no variance left along the removed directions
    x = out.vectors.astype(np.float64)
    cov = np.cov(x.T, bias=True)
    lam = np.linalg.eigvalsh(cov)
    assert np.sum(lam < 1e-8) == 2


def test_eps_keeps_singular_covariances_finite():
    line = KeyedVectors(["a", "b", "c"], [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], counts=[1, 1, 1])
    for eps in (0.0, 1e-6):
        out = whiten(line, eps=eps)
        assert np.all(np.isfinite(out.vectors))
        np.testing.assert_allclose(out.vectors[:, 1], 0, atol=1e-3)
        np.testing.assert_allclose(np.abs(out.vectors[:, 0]), [math.sqrt(1.5), 0, math.sqrt(1.5)], rtol=1e-5)


def test_eps_damps_a_near_null_direction():
    rng = np.random.default_rng(2)
    x = np.c_[rng.normal(size=200), 1e-6 * rng.normal(size=200)]
    kv = KeyedVectors([f"w{i}" for i in range(200)], x, counts=np.ones(200, int))
    # the tiny direction's variance (~1e-12) is far below eps * lambda_max (~1e-6): it stays small
    assert np.abs(whiten(kv, eps=1e-6).vectors[:, 1]).max() < 0.02
    # without eps it is blown up to unit variance like the other one
    assert whiten(kv, eps=0).vectors[:, 1].std() == pytest.approx(1.0, rel=1e-2)


def test_output_keeps_keys_and_counts_drops_context_records_step():
    kv = kv3(context=np.ones((3, 2)), meta={"model": "sgns"})
    out = whiten(kv)
    assert out.index_to_key == ["a", "b", "c"] and out.counts.tolist() == [2, 1, 1]
    assert out.context is None and out.vectors.dtype == np.float32
    assert out.meta["model"] == "sgns"
    rec = out.meta["postprocess"][-1]
    assert rec["method"] == "zipfian" and rec["freq"]["source"] == "model" and rec["input_dim"] == 2
    again = whiten(out, method="center")
    assert [r["method"] for r in again.meta["postprocess"]] == ["zipfian", "center"]
    np.testing.assert_array_equal(kv.vectors, np.asarray(W3, dtype=np.float32))   # input unchanged


def test_zipfian_with_other_frequency_sources(tmp_path):
    kv = KeyedVectors(["a", "b", "c"], W3)
    with pytest.raises(NoCountsError, match=r"--freq PATH.*--freq zipf"):
        whiten(kv)
    np.testing.assert_allclose(whiten(kv, freq=[2, 1, 1], eps=0).vectors, whiten(kv3(), eps=0).vectors,
                               atol=1e-6)
    zipf = whiten(kv, freq="zipf", eps=0).vectors.astype(np.float64)
    p = np.array([1, 1 / 2, 1 / 3]) / (1 + 1 / 2 + 1 / 3)
    np.testing.assert_allclose((zipf * p[:, None]).T @ zipf, np.eye(2), atol=1e-6)
    f = tmp_path / "freq.tsv"
    f.write_text("a\t0.5\nb\t0.25\nc\t0.25\n")
    np.testing.assert_allclose(whiten(kv, freq=str(f), eps=0).vectors, whiten(kv3(), eps=0).vectors, atol=1e-6)
    # center, uniform and abtt need no frequencies
    whiten(kv, method="uniform")
    whiten(kv, method="center")


@pytest.mark.parametrize("kwargs, param", [
    ({"method": "pca"}, "method"),
    ({"method": "zipfian", "remove": 1}, "remove"),
    ({"method": "center", "keep": 1}, "keep"),
    ({"method": "abtt", "keep": 1}, "keep"),
    ({"method": "uniform", "keep": 3}, "keep"),
    ({"method": "abtt", "remove": 2}, "remove"),
    ({"eps": -1e-3}, "eps"),
    ({"eps": float("nan")}, "eps"),
    ({"min_count": 0}, "min_count"),
    ({"min_count": 2.5}, "min_count"),
    ({"min_count": True}, "min_count"),
])
def test_invalid_parameters(kwargs, param):
    with pytest.raises(InvalidParameterError) as info:
        whiten(kv3(), **kwargs)
    assert info.value.param == param


def test_min_count_fits_on_the_frequent_words_and_transforms_all():
    # counts 5, 1, 5: min_count 2 fits on a and c only, with p = (1/2, 0, 1/2)
    kv = KeyedVectors(["a", "b", "c"], W3, counts=[5, 1, 5])
    out = whiten(kv, method="center", min_count=2)
    # mean of a and c = (1, 1); b is moved by it too
    np.testing.assert_allclose(out.vectors, [[0, -1], [-1, 1], [0, 1]], atol=1e-6)
    rec = out.meta["postprocess"][-1]
    assert rec["min_count"] == 2 and rec["fit_words"] == 2
    # zipfian on those 2 words in 2-D: fewer words than a covariance needs, refused rather than collapsed
    with pytest.raises(EmbkitError, match=r"min_count=2 \(--min-count\) leaves 2 word.s. to fit on for 2 "
                                          "whitened dimensions, fewer than 2 a dimension"):
        whiten(kv, method="zipfian", min_count=2, eps=0)
    z = whiten(KeyedVectors(list("abcde"), W3 + [[2.0, 2.0], [0.0, 0.0]], counts=[5, 1, 5, 5, 5]), min_count=2, eps=0)
    assert z.meta["postprocess"][-1]["fit_words"] == 4
    fit = z.vectors[[0, 2, 3, 4]].astype(np.float64)
    np.testing.assert_allclose((fit / 4).T @ fit, np.eye(2), atol=1e-5)      # identity covariance over a, c, d, e
    # every word counted at least min_count times: the same map as without it
    big = KeyedVectors([f"w{i}" for i in range(10)], np.random.default_rng(5).normal(size=(10, 2)),
                       counts=list(range(10, 0, -1)))
    np.testing.assert_allclose(whiten(big, min_count=1).vectors, whiten(big).vectors, atol=1e-6)


@pytest.mark.parametrize("eps", [0.0, 1e-6])
def test_a_fit_on_fewer_words_than_dimensions_drops_the_directions_it_lacks(eps, caplog):
    """3 words in 4-D: rank 2; the other two directions map to 0 (they were stretched a millionfold).

    With min_count leaving so few words it is an error instead: the user can fit on more.
    """
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(6, 4))
    kv = KeyedVectors(["w0", "w1", "w2"], vecs[:3], counts=[9, 8, 7])
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        out = whiten(kv, eps=eps)
    assert "fitted on 3 word(s) for 4 whitened dimensions" in caplog.text
    assert "the covariance has rank at most 2, and the directions it lacks are set to 0" in caplog.text
    np.testing.assert_allclose(out.vectors[:, 2:], 0, atol=1e-6)
    fit = out.vectors.astype(np.float64)
    p = np.array([9, 8, 7]) / 24
    np.testing.assert_allclose((fit * p[:, None]).T @ fit, np.diag([1, 1, 0, 0]), atol=1e-4)
    assert np.abs(out.vectors).max() < 10          # nothing blown up
    bigger = KeyedVectors([f"w{i}" for i in range(6)], vecs, counts=[9, 8, 7, 1, 1, 1])
    with pytest.raises(EmbkitError, match=r"min_count=5 \(--min-count\) leaves 3 word.s. to fit on for 4"):
        whiten(bigger, min_count=5, eps=eps)


def test_a_fit_on_few_words_a_dimension_warns_and_one_weighted_word_is_an_error(caplog):
    rng = np.random.default_rng(4)
    kv = KeyedVectors([f"w{i}" for i in range(60)], rng.normal(size=(60, 4)), counts=list(range(100, 40, -1)))
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        whiten(kv)                                          # 60 words for 4 dimensions: fine
        whiten(kv.__class__(kv.index_to_key[:20], kv.vectors[:20], counts=kv.counts[:20]))   # a small vocabulary
        assert caplog.text == ""                            # as a whole: nothing to lower
        whiten(kv, min_count=90)                            # 11 words: fewer than 10 a dimension, full rank
    assert "fitted on 11 word(s) for 4 whitened dimensions, fewer than 10 a dimension" in caplog.text
    assert "rank" not in caplog.text
    freq = [1.0] + [0.0] * 59                               # only w0 weighs anything among the fitted words
    with pytest.raises(EmbkitError, match="of the 11 words seen at least 90 times, only 1 word has a frequency "
                                          "above 0 in array: at least 2 are needed"):
        whiten(kv, freq=freq, min_count=90)


def test_abtt_and_center_on_few_words(caplog):
    """ABTT removes only its top components: it needs more fitted words than those, and gets no whitening warning."""
    rng = np.random.default_rng(6)
    kv = KeyedVectors([f"w{i}" for i in range(40)], rng.normal(size=(40, 8)), counts=list(range(40, 0, -1)))
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        whiten(kv, method="abtt", remove=2, min_count=37)             # 4 words, 8 dimensions: fine for ABTT
        whiten(kv, method="center", min_count=39)                     # 2 words: their mean
    assert caplog.text == ""
    with pytest.raises(EmbkitError, match="all-but-the-top needs more words than the 2 component"):
        whiten(kv, method="abtt", remove=2, min_count=39)             # 2 words


def test_frequencies_of_zero_limit_the_fit_as_min_count_does(caplog):
    """A --freq file giving 0 to most words leaves few words to fit on: the same error and warning, blaming it."""
    rng = np.random.default_rng(7)
    kv = KeyedVectors([f"w{i}" for i in range(200)], rng.normal(size=(200, 8)), counts=list(range(200, 0, -1)))
    few = [1.0] * 12 + [0.0] * 188                      # 12 words for 8 dimensions: fewer than 2 a dimension
    with pytest.raises(EmbkitError, match=r"the zero frequencies in array \(--freq\) leaves 12 word.s. to fit on "
                                          "for 8 whitened dimensions, fewer than 2 a dimension"):
        whiten(kv, freq=few)
    out = whiten(kv, freq=few, keep=4)                   # 12 words for the 4 kept directions: a warning only
    assert out.meta["postprocess"][-1]["fit_words"] == 12
    some = [1.0] * 40 + [0.0] * 160                      # 40 words: fewer than 10 a dimension
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        whiten(kv, freq=some)
    assert "fitted on 40 word(s) for 8 whitened dimensions, fewer than 10 a dimension" in caplog.text


def test_min_count_errors():
    with pytest.raises(NoCountsError, match="min_count=2 needs the model's word counts"):
        whiten(KeyedVectors(["a", "b", "c"], W3), method="center", min_count=2)
    with pytest.raises(EmbkitError, match="leaves 1 word"):
        whiten(KeyedVectors(["a", "b", "c"], W3, counts=[5, 1, 1]), min_count=2)
    # the words fitted on all have frequency 0: said so, not "weights must have a positive sum"
    with pytest.raises(EmbkitError, match="the 2 words seen at least 2 times all have frequency 0"):
        whiten(KeyedVectors(["a", "b", "c"], W3, counts=[5, 1, 5]), freq=[0.0, 1.0, 0.0], min_count=2)


def test_degenerate_inputs():
    with pytest.raises(EmbkitError, match="at least 2 vectors"):
        whiten(KeyedVectors(["a"], [[1.0, 2.0]], counts=[1]))
    with pytest.raises(EmbkitError, match="nothing to whiten"):
        whiten(KeyedVectors(["a", "b"], [[1.0, 2.0], [1.0, 2.0]], counts=[1, 1]))
    with pytest.raises(TypeError):
        whiten(np.eye(2))


class _Subword(KeyedVectors):
    """A KeyedVectors with n-gram rows, as a subword model has."""

    def __init__(self, keys, vectors, ngram_vectors, **kw):
        super().__init__(keys, vectors, **kw)
        self.ngram_vectors = np.asarray(ngram_vectors, dtype=np.float32)

    def word_from_ngrams(self, rows):
        return self.ngram_vectors[rows].mean(axis=0)


def test_subword_rows_get_the_same_affine_map():
    ngrams = np.array([[1.0, 1.0], [3.0, -1.0], [0.0, 4.0], [2.0, 2.0]])
    kv = _Subword(["a", "b", "c"], W3, ngrams, counts=[2, 1, 1])
    out = whiten(kv, eps=0)
    assert isinstance(out, _Subword) and out.counts.tolist() == [2, 1, 1]
    ref = whiten(kv3(), eps=0)
    np.testing.assert_allclose(out.vectors, ref.vectors, atol=1e-6)
    mean, cov = weighted_moments(W3, P3)
    a, _ = whitening_transform(cov, eps=0)
    np.testing.assert_allclose(out.ngram_vectors, (ngrams - mean) @ a, rtol=1e-5, atol=1e-6)
    # an unseen word built from n-gram rows (their average) equals the map of the raw average
    raw = kv.word_from_ngrams([0, 2, 3])
    np.testing.assert_allclose(out.word_from_ngrams([0, 2, 3]), (raw - mean) @ a, rtol=1e-5, atol=1e-6)
    assert kv.ngram_vectors[1].tolist() == [3.0, -1.0]                 # input unchanged


def test_apply_affine_reads_memmaps_in_chunks(tmp_path, monkeypatch):
    import embkit.postprocess.whiten as wh
    path = tmp_path / "m.npy"
    np.save(path, np.arange(20, dtype=np.float32).reshape(10, 2))
    mm = np.load(path, mmap_mode="r")
    monkeypatch.setattr(wh, "_CHUNK_ROWS", 3)
    out = apply_affine(mm, np.array([1.0, 2.0]), np.array([[2.0], [1.0]]))
    np.testing.assert_allclose(out[:, 0], [(2 * i - 1) * 2 + (2 * i + 1 - 2) for i in range(10)])


def test_the_rank_note_is_left_out_when_keep_drops_the_lacking_directions(caplog):
    rng = np.random.default_rng(8)
    kv = KeyedVectors([f"w{i}" for i in range(8)], rng.normal(size=(8, 10)), counts=[9] * 8)
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        out = whiten(kv, keep=3)              # rank 7 >= the 3 kept directions: nothing lacking is kept
    assert "rank" not in caplog.text and out.dim == 3
    with caplog.at_level("WARNING", logger="embkit.postprocess.whiten"):
        whiten(kv)                            # all 10 kept: 3 lack variance
    assert "the covariance has rank at most 7, and the directions it lacks are set to 0" in caplog.text
