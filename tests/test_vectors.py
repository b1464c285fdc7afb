"""KeyedVectors: construction, look-up and cosine queries on hand-made vectors."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from embkit.exceptions import EmbkitError
from embkit.vectors import KeyedVectors, KeyNotFoundError

# Unit-length 2-D vectors whose cosines are easy by hand:
#   cos(a, b) = 0.6, cos(a, c) = 0, cos(a, d) = -1, cos(a, e) = 0.8,
#   cos(b, c) = 0.8, cos(b, e) = 0.96, cos(c, e) = 0.6.
KEYS = ["a", "b", "c", "d", "e"]
VECS = [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0], [0.8, 0.6]]


@pytest.fixture
def kv():
    return KeyedVectors(KEYS, VECS)


def pairs(result):
    """[(key, score rounded to 6 places)] for exact comparison."""
    return [(key, round(score, 6)) for key, score in result]


# -- construction -------------------------------------------------------------

def test_storage_types(kv):
    assert kv.index_to_key == KEYS
    assert kv.key_to_index == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    assert kv.vectors.dtype == np.float32 and kv.vectors.flags.c_contiguous
    assert kv.vectors.shape == (5, 2)
    assert kv.counts is None and kv.context is None and kv.meta == {}
    assert kv.dim == kv.vector_size == 2
    assert len(kv) == 5
    assert repr(kv) == "KeyedVectors(n_words=5, dim=2)"


def test_counts_context_meta_are_stored():
    meta = {"params": {"dim": 2}}
    kv = KeyedVectors(["x", "y"], np.eye(2, dtype=np.float64), counts=[5, 3],
                      context=[[1, 2], [3, 4]], meta=meta)
    assert kv.counts.dtype == np.int64 and kv.counts.tolist() == [5, 3]
    assert kv.context.dtype == np.float32 and kv.context.tolist() == [[1, 2], [3, 4]]
    assert kv.meta == meta and kv.meta is not meta


def test_memmap_is_kept(tmp_path):
    mm = np.memmap(tmp_path / "v.dat", dtype=np.float32, mode="w+", shape=(2, 3))
    mm[:] = [[1, 2, 3], [4, 5, 6]]
    kv = KeyedVectors(["x", "y"], mm)
    assert kv.vectors is mm


def test_empty_vocabulary():
    kv = KeyedVectors([], np.zeros((0, 4)))
    assert len(kv) == 0 and kv.dim == 4
    assert kv.similar_by_vector([1, 0, 0, 0]) == []


@pytest.mark.parametrize("keys, vectors, kwargs, error, match", [
    (["a", "b", "a"], np.zeros((3, 2)), {}, ValueError, "duplicate key 'a' at rows 0 and 2"),
    (["a", "b"], np.zeros((3, 2)), {}, ValueError, "2 keys but 3 vector rows"),
    (["a", "b"], np.zeros(2), {}, ValueError, "must be 2-D"),
    (["a", 1], np.zeros((2, 2)), {}, TypeError, "keys must be str"),
    (["a", "b"], np.zeros((2, 2)), {"counts": [1]}, ValueError, "counts must have shape"),
    (["a", "b"], np.zeros((2, 2)), {"counts": [1, -1]}, ValueError, "negative"),
    (["a", "b"], np.zeros((2, 2)), {"context": np.zeros((2, 3))}, ValueError, "context"),
])
def test_invalid_construction(keys, vectors, kwargs, error, match):
    with pytest.raises(error, match=match):
        KeyedVectors(keys, vectors, **kwargs)


# -- look-up -------------------------------------------------------------------

def test_lookup(kv):
    assert "b" in kv and "z" not in kv and ["a"] not in kv
    assert list(kv) == KEYS
    assert kv["b"].tolist() == pytest.approx([0.6, 0.8])
    assert kv["b"].shape == (2,)
    assert_allclose(kv[["e", "a"]], [[0.8, 0.6], [1.0, 0.0]], rtol=1e-6)
    assert kv[("a",)].shape == (1, 2)
    assert kv[[]].shape == (0, 2)
    assert kv.get_index("d") == 3


def test_unknown_key_error(kv):
    with pytest.raises(KeyError) as info:
        kv["zebra"]
    assert isinstance(info.value, EmbkitError)
    assert str(info.value) == "'zebra' is not in the vocabulary (5 words)"
    with pytest.raises(KeyNotFoundError, match="'q'"):
        kv[["a", "q"]]
    with pytest.raises(KeyNotFoundError):
        kv.get_index("q")


# -- unit vectors --------------------------------------------------------------

def test_unit_vectors_zero_rows_stay_zero():
    kv = KeyedVectors(["x", "zero", "y"], [[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]])
    unit = kv.unit_vectors
    assert unit.dtype == np.float32
    assert_allclose(unit, [[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]], rtol=1e-6)
    assert not np.isnan(unit).any()
    assert kv.unit_vectors is unit          # cached


def test_unit_vectors_of_huge_values_do_not_overflow():
    kv = KeyedVectors(["x"], [[3e30, 4e30]])
    assert_allclose(kv.unit_vectors, [[0.6, 0.8]], rtol=1e-6)


def test_setting_vectors_clears_unit_cache(kv):
    first = kv.unit_vectors
    kv.vectors = np.array(VECS[::-1])
    assert kv.unit_vectors is not first
    assert_allclose(kv.unit_vectors[0], [0.8, 0.6], rtol=1e-6)
    with pytest.raises(ValueError, match="5 keys but 2 vector rows"):
        kv.vectors = np.zeros((2, 2))


# -- similarity queries --------------------------------------------------------

def test_most_similar_single_word(kv):
    assert pairs(kv.most_similar("a")) == [("e", 0.8), ("b", 0.6), ("c", 0.0), ("d", -1.0)]
    assert pairs(kv.most_similar("a", topn=2)) == [("e", 0.8), ("b", 0.6)]
    assert kv.most_similar(positive=["a"]) == kv.most_similar("a")
    assert kv.most_similar("a", topn=0) == []
    assert len(kv.most_similar("a", topn=None)) == 4


def test_most_similar_positive_and_negative(kv):
    # mean of unit(b) and -unit(a) = (-0.2, 0.4); normalised (-1, 2)/sqrt(5)
    s5 = math.sqrt(5)
    expected = [("c", round(2 / s5, 6)), ("d", round(1 / s5, 6)),
                ("e", round((-0.8 + 1.2) / s5, 6))]
    assert pairs(kv.most_similar(positive=["b"], negative=["a"])) == expected
    assert pairs(kv.most_similar(positive="b", negative="a")) == expected


def test_most_similar_with_a_raw_vector_excludes_nothing(kv):
    # the query vector is normalised: (0, 2) -> (0, 1)
    result = pairs(kv.most_similar(positive=[np.array([0.0, 2.0])], topn=3))
    assert result == [("c", 1.0), ("b", 0.8), ("e", 0.6)]
    assert pairs(kv.similar_by_vector([0.0, 2.0], topn=3)) == result


def test_most_similar_weighted_term(kv):
    # 3 * unit(a) + unit(c) = (3, 1): cos with e = (2.4 + 0.6) / sqrt(10)
    top = kv.most_similar(positive=[("a", 3.0), "c"], topn=1)
    assert pairs(top) == [("e", round(3.0 / math.sqrt(10), 6))]


def test_most_similar_restrict_vocab(kv):
    assert pairs(kv.most_similar("a", restrict_vocab=3)) == [("b", 0.6), ("c", 0.0)]
    assert pairs(kv.similar_by_vector([1.0, 0.0], restrict_vocab=2)) == [("a", 1.0), ("b", 0.6)]
    assert kv.most_similar("a", restrict_vocab=0) == []


def test_ties_keep_row_order():
    # "r" and "q" have the same vector; the lower row ("r", row 1) comes first,
    # both on the full sort and on the partial (topn < vocabulary) path
    kv = KeyedVectors(["p", "r", "q", "s"], [[1, 0], [0, 1], [0, 1], [1, 1]])
    full = pairs(kv.most_similar("p"))
    assert full == [("s", round(1 / math.sqrt(2), 6)), ("r", 0.0), ("q", 0.0)]
    assert pairs(kv.most_similar("p", topn=2)) == full[:2]
    assert [k for k, _ in kv.most_similar("s", topn=3)] == ["p", "r", "q"]


def test_most_similar_errors(kv):
    with pytest.raises(KeyNotFoundError, match="'nope'"):
        kv.most_similar("nope")
    with pytest.raises(ValueError, match="at least one"):
        kv.most_similar()
    with pytest.raises(ValueError, match="shape"):
        kv.most_similar(positive=[np.zeros(3)])
    with pytest.raises(ValueError, match="topn"):
        kv.most_similar("a", topn=-1)


def test_similarity(kv):
    assert kv.similarity("a", "b") == pytest.approx(0.6, abs=1e-6)
    assert kv.similarity("b", "e") == pytest.approx(0.96, abs=1e-6)
    assert kv.similarity("a", "d") == -1.0
    assert kv.similarity("e", "e") == 1.0
    assert isinstance(kv.similarity("a", "b"), float)


def test_zero_vectors_never_give_nan():
    """Case B18: a zero vector scores 0.0 everywhere, never NaN."""
    kv = KeyedVectors(["good", "zero", "other"], [[0.1, 0.2], [0.0, 0.0], [0.2, 0.1]])
    assert kv.similarity("good", "zero") == 0.0
    assert kv.similarity("zero", "zero") == 0.0
    result = kv.most_similar("good")
    assert pairs(result) == [("other", 0.8), ("zero", 0.0)]
    assert pairs(kv.most_similar("zero")) == [("good", 0.0), ("other", 0.0)]
    assert pairs(kv.similar_by_vector([0.0, 0.0])) == [("good", 0.0), ("zero", 0.0),
                                                        ("other", 0.0)]
    assert pairs(kv.most_similar(positive=["good"], negative=["good"])) == [
        ("zero", 0.0), ("other", 0.0)]


def test_non_finite_rows_score_zero():
    kv = KeyedVectors(["x", "bad", "y"], [[1, 0], [np.nan, np.inf], [0, 1]])
    assert pairs(kv.most_similar("x")) == [("bad", 0.0), ("y", 0.0)]
    assert kv.similarity("x", "bad") == 0.0


def test_doesnt_match(kv):
    # mean of units = (1.4, 1.4) / 4: cosines a 0.707, e 0.990, b 0.990, d -0.707
    assert kv.doesnt_match(["a", "e", "b", "d"]) == "d"
    assert kv.doesnt_match(["b", "c", "e"]) == "c"
    with pytest.raises(KeyNotFoundError):
        kv.doesnt_match(["a", "nope"])
    with pytest.raises(ValueError):
        kv.doesnt_match([])


def test_rank(kv):
    # neighbours of a: e 0.8, b 0.6, c 0.0, d -1.0
    assert kv.rank("a", "e") == 1
    assert kv.rank("a", "b") == 2
    assert kv.rank("a", "d") == 4


def test_save_and_load_delegate_to_io(kv, tmp_path):
    kv.save(tmp_path / "v.vec")
    back = KeyedVectors.load(tmp_path / "v.vec")
    assert back.index_to_key == KEYS
    assert np.array_equal(back.vectors, kv.vectors)
    back = KeyedVectors.load(tmp_path / "v.vec", limit=2)
    assert back.index_to_key == ["a", "b"]


def test_gensim_method_names_point_to_embkit():
    """gensim's KeyedVectors names (similar_by_word, save_word2vec_format, ...) say what embkit calls them."""
    kv = KeyedVectors(["a", "b"], [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(AttributeError, match=r"KeyedVectors has no 'similar_by_word' \(gensim's\); in embkit: "
                                             r"most_similar\(word, topn=...\)"):
        kv.similar_by_word("a")
    with pytest.raises(AttributeError, match="in embkit: unit_vectors"):
        kv.get_normed_vectors()
    assert not hasattr(kv, "get_vecattr") and not hasattr(kv, "no_such_thing")
    with pytest.raises(AttributeError, match="'KeyedVectors' object has no attribute 'no_such_thing'"):
        _ = kv.no_such_thing
