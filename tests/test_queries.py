"""embkit.queries against gensim 4's KeyedVectors on the same vectors, and by hand."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from embkit import queries
from embkit.evaluation import METHODS
from embkit.evaluation.analogy import VocabIndex
from embkit.vectors import KeyedVectors, KeyNotFoundError

gensim_models = pytest.importorskip("gensim.models")
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

# Ten random rows, "twin" a copy of w3 (ties with it everywhere) and "zero" a
# zero row (cosine 0 with everything here; NaN in gensim).
_RNG = np.random.default_rng(20240607)
KEYS = [f"w{i}" for i in range(10)] + ["twin", "zero"]
MATRIX = np.vstack([_RNG.standard_normal((10, 6)), np.zeros((2, 6))]).astype(np.float32)
MATRIX[10] = MATRIX[3]
TOL = 2e-6


@pytest.fixture(scope="module")
def kv():
    return KeyedVectors(KEYS, MATRIX)


@pytest.fixture(scope="module")
def gkv():
    g = gensim_models.KeyedVectors(vector_size=MATRIX.shape[1])
    g.add_vectors(KEYS, MATRIX.copy())
    return g


def expected(scores, exclude, topn, zero=0.0):
    """Our rules over gensim's scores: the zero row scores ``zero`` (NaN in gensim),
    query keys are left out, best first, equal scores by row."""
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=zero)
    # gensim's float32 products can score the two equal rows an ulp apart
    scores[KEYS.index("twin")] = scores[3]
    order = np.argsort(-scores, kind="stable")
    ranked = [(KEYS[i], scores[i]) for i in order.tolist() if KEYS[i] not in exclude]
    return ranked if topn is None else ranked[:topn]


def terms_of(*groups):
    """The query keys of positive/negative arguments."""
    terms = [t for g in groups if g is not None for t in ([g] if isinstance(g, str) else g)]
    return {t[0] if isinstance(t, tuple) else t for t in terms}


def assert_same(got, want):
    assert [k for k, _ in got] == [k for k, _ in want]
    assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-5, atol=TOL)


def test_fixture_has_no_near_ties_but_the_planted_ones(kv):
    # keeps the comparison with gensim's float32 scores free of rounding-order flips
    cos = kv.unit_vectors[:10] @ kv.unit_vectors[:10].T
    gaps = np.abs(cos[:, :, None] - cos[:, None, :])
    off = ~np.eye(10, dtype=bool)[:, :, None] & ~np.eye(10, dtype=bool)[None, :, :] \
        & ~np.eye(10, dtype=bool)[:, None, :]
    assert gaps[off].min() > 1e-4


# -- most_similar --------------------------------------------------------------

@pytest.mark.parametrize("positive, negative, topn", [
    (["w0"], None, 5),
    ("w3", None, None),                          # twin first: same vector as w3
    (["w1", "w2"], ["w4"], 4),
    (["w1", ("w2", 2.5)], [("w5", -0.5)], 6),    # tuple weights replace the default sign
    (["w6"], [("w7", 0.5)], 3),                  # a positive weight in negative, as gensim reads it
    (None, ["w8"], 5),
    (["w9", "w3"], ["w0", "w1"], None),
])
def test_most_similar_matches_gensim(kv, gkv, positive, negative, topn):
    scores = gkv.most_similar(positive=positive, negative=negative, topn=None)
    want = expected(scores, terms_of(positive, negative), topn)
    assert_same(kv.most_similar(positive=positive, negative=negative, topn=topn), want)
    assert_same(queries.most_similar(kv, positive, negative, topn), want)


def test_most_similar_unit_vector_term_and_similar_by_vector_match_gensim(kv, gkv):
    vec = MATRIX[5] / np.linalg.norm(MATRIX[5])
    want = expected(gkv.similar_by_vector(vec, topn=None), (), 8)
    assert_same(kv.similar_by_vector(vec, topn=8), want)
    want = expected(gkv.most_similar(positive=[vec, "w1"], topn=None), {"w1"}, 8)
    assert_same(kv.most_similar(positive=[vec, "w1"], topn=8), want)


def test_twin_ties_rank_by_row(kv):
    # w3 and twin have the same vector: the lower row (w3) first, wherever they fall
    keys = [k for k, _ in kv.most_similar("w0", topn=None)]
    assert keys.index("w3") + 1 == keys.index("twin")
    s = dict(kv.most_similar("w0", topn=None))
    assert s["w3"] == s["twin"]
    assert [k for k, _ in kv.most_similar("w3", topn=1)] == ["twin"]
    assert kv.most_similar("w3", topn=1)[0][1] == pytest.approx(1.0, abs=1e-6)


def test_zero_vector_scores_zero_and_never_nan(kv):
    assert dict(kv.most_similar("w0", topn=None))["zero"] == 0.0
    # a zero query: every cosine is 0, so the order is the row order
    result = kv.most_similar("zero", topn=None)
    assert [k for k, _ in result] == KEYS[:11] and {s for _, s in result} == {0.0}
    result = kv.most_similar_cosmul("zero", topn=None)
    assert all(s == pytest.approx(0.5 / (1 + 1e-6)) for _, s in result)
    assert np.isfinite(kv.distances("zero")).all()


# -- most_similar_cosmul -------------------------------------------------------

@pytest.mark.parametrize("positive, negative, topn", [
    (["w1", "w2"], ["w0"], 5),
    (["w4"], None, None),
    ("w5", "w6", 4),
    (["w7", "w8", "w9"], ["w3", "w2"], None),
])
def test_most_similar_cosmul_matches_gensim(kv, gkv, positive, negative, topn):
    scores = gkv.most_similar_cosmul(positive=positive, negative=negative, topn=None)
    n_pos = 1 if isinstance(positive, str) else len(positive)
    n_neg = 0 if negative is None else 1 if isinstance(negative, str) else len(negative)
    # the zero row: every cos' is 0.5 (gensim: NaN); no negative term divides by 1
    zero = 0.5 ** n_pos / ((0.5 ** n_neg if n_neg else 1.0) + 1e-6)
    want = expected(scores, terms_of(positive, negative), topn, zero=zero)
    assert_same(kv.most_similar_cosmul(positive=positive, negative=negative, topn=topn), want)


def test_cosmul_by_hand():
    # cos(x, b) = 0.6, cos(x, c) = 0.8, cos(x, a) = 0: 0.8 * 0.9 / (0.5 + 1e-6)
    kv = KeyedVectors(["a", "b", "c", "x"], [[0, 0, 1], [0.6, 0.8, 0], [0.8, 0.6, 0], [1, 0, 0]])
    [(key, score)] = kv.most_similar_cosmul(["b", "c"], ["a"], topn=1)
    assert key == "x" and score == pytest.approx(0.8 * 0.9 / (0.5 + 1e-6), rel=1e-6)
    [(_, score)] = kv.most_similar_cosmul(["b", "c"], ["a"], topn=1, epsilon=0.001)
    assert score == pytest.approx(0.8 * 0.9 / 0.501, rel=1e-6)


def test_cosmul_errors(kv):
    with pytest.raises(ValueError, match="at least one positive"):
        kv.most_similar_cosmul(negative=["w1"])
    with pytest.raises(ValueError, match="not \\(term, weight\\) pairs"):
        kv.most_similar_cosmul([("w1", 2.0)])
    with pytest.raises(ValueError, match="epsilon"):
        kv.most_similar_cosmul(["w1"], epsilon=0)
    with pytest.raises(KeyNotFoundError):
        kv.most_similar_cosmul(["w1"], ["nope"])
    assert kv.most_similar_cosmul(["w1"], topn=0) == []
    # one positive term ranks as most_similar
    assert [k for k, _ in kv.most_similar_cosmul(["w1"], restrict_vocab=3)] == \
        [k for k, _ in kv.most_similar("w1", restrict_vocab=3)]
    assert {k for k, _ in kv.most_similar_cosmul(["w1"], restrict_vocab=3)} == {"w0", "w2"}


# -- pairwise ------------------------------------------------------------------

def test_similarity_distance_n_similarity_match_gensim(kv, gkv):
    pairs = [("w0", "w1"), ("w2", "w9"), ("w3", "twin"), ("w4", "w4")]
    for w1, w2 in pairs:
        assert kv.similarity(w1, w2) == pytest.approx(float(gkv.similarity(w1, w2)), abs=TOL)
        assert kv.distance(w1, w2) == pytest.approx(float(gkv.distance(w1, w2)), abs=TOL)
    for ws1, ws2 in [(["w0", "w1"], ["w2"]), (["w3", "w4", "w5"], ["w6", "w7"]), (["w8"], ["w8"])]:
        assert kv.n_similarity(ws1, ws2) == pytest.approx(float(gkv.n_similarity(ws1, ws2)), abs=TOL)
    assert kv.similarity("w0", "zero") == 0.0 and kv.distance("w0", "zero") == 1.0
    assert kv.n_similarity(["zero"], ["w1"]) == 0.0


def test_n_similarity_averages_raw_vectors():
    # raw mean of (2, 0) and (0, 1) is (1, 0.5): cosine with (0, 1) is 0.5 / sqrt(1.25)
    kv = KeyedVectors(["x", "y"], [[2, 0], [0, 1]])
    assert kv.n_similarity(["x", "y"], "y") == pytest.approx(0.5 / math.sqrt(1.25), abs=1e-7)
    with pytest.raises(ValueError, match="at least one key"):
        kv.n_similarity([], ["x"])
    with pytest.raises(KeyNotFoundError):
        kv.n_similarity(["x", "nope"], ["y"])


def test_distances_match_gensim(kv, gkv):
    nonzero = slice(0, 11)
    got = kv.distances("w2")
    assert got.dtype == np.float32 and got.shape == (12,)
    assert_allclose(got[nonzero], gkv.distances("w2")[nonzero], atol=TOL)
    assert got[11] == 1.0                       # the zero row: NaN in gensim
    others = ["w5", "twin", "w0"]
    assert_allclose(kv.distances("w7", others), gkv.distances("w7", others), atol=TOL)
    vec = MATRIX[4] * 3.0
    assert_allclose(kv.distances(vec, others), gkv.distances(vec, others), atol=TOL)
    assert_allclose(kv.distances(vec)[nonzero], gkv.distances(vec)[nonzero], atol=TOL)
    assert kv.distances("w1", "w1")[0] == pytest.approx(0.0, abs=1e-6)
    assert_allclose(kv.distances("zero", ["w1", "zero"]), [1.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        kv.distances(np.zeros(3))
    with pytest.raises(KeyNotFoundError):
        kv.distances("w1", ["nope"])


@pytest.mark.parametrize("w1, w2", [("w0", "w5"), ("w1", "w3"), ("w3", "twin"), ("w2", "w8"),
                                    ("w9", "w9"), ("w6", "zero")])
def test_closer_than_and_rank_match_gensim(kv, gkv, w1, w2):
    # gensim's distances, with the zero row at distance 1 (NaN in gensim, so
    # never closer there: here it is closer than any key of negative cosine)
    dist = np.nan_to_num(gkv.distances(w1).astype(np.float64), nan=1.0)
    dist[KEYS.index("twin")] = dist[3]
    j = KEYS.index(w2)
    want = [k for i, k in enumerate(KEYS) if dist[i] < dist[j] and k != w1]
    assert kv.closer_than(w1, w2) == want
    assert kv.rank(w1, w2) == len(want) + 1
    if "zero" not in want and w2 != "zero":
        assert kv.closer_than(w1, w2) == gkv.closer_than(w1, w2)
        assert kv.rank(w1, w2) == gkv.rank(w1, w2)


def test_rank_and_closer_than_by_hand():
    # neighbours of a: e 0.8, b 0.6, (c, c2) 0.0, d -1.0; c2 ties with c
    kv = KeyedVectors(["a", "b", "c", "d", "e", "c2"],
                      [[1, 0], [0.6, 0.8], [0, 1], [-1, 0], [0.8, 0.6], [0, 1]])
    assert [kv.rank("a", w) for w in ("e", "b", "c", "c2", "d")] == [1, 2, 3, 3, 5]
    assert kv.closer_than("a", "c") == ["b", "e"]
    assert kv.closer_than("a", "e") == []
    assert kv.rank("a", "a") == 1


def test_doesnt_match_matches_gensim(kv, gkv):
    for words in (["w0", "w1", "w2", "w3"], ["w4", "w5", "w6"], ["w7", "w8", "w9", "w1", "w2"]):
        assert kv.doesnt_match(words) == gkv.doesnt_match(words)


def test_get_vector_matches_gensim(kv, gkv):
    assert_allclose(kv.get_vector("w4"), gkv.get_vector("w4"), rtol=1e-6)
    assert_allclose(kv.get_vector("w4", norm=True), gkv.get_vector("w4", norm=True), rtol=1e-6)
    v = kv.get_vector("w4")
    assert v.dtype == np.float32 and v.shape == (6,) and not v.flags.writeable
    assert not kv.get_vector("w4", norm=True).flags.writeable
    assert kv.get_vector("zero", norm=True).tolist() == [0.0] * 6
    with pytest.raises(KeyNotFoundError):
        kv.get_vector("nope")
    assert kv.vectors.flags.writeable                  # the matrix itself stays writable


# -- analogy and case-insensitive matching -------------------------------------

ANALOGY = KeyedVectors(
    ["man", "woman", "king", "queen", "King", "Queen", "paris"],
    [[1, 0, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1], [0, 1, 0, 1], [1, 0, 0, 1.1], [0, 1, 0, 0.9],
     [0, 0, 0, -1]],
    counts=[10, 9, 8, 3, 2, 5, 1])


def test_analogy_methods():
    assert queries.ANALOGY_METHODS == METHODS
    for method in METHODS:
        top = queries.analogy(ANALOGY, "man", "king", "woman", method=method, topn=2)
        assert [k for k, _ in top] == ["queen", "Queen"]
    # 3CosAdd: b - a + c = (0, 1, 0, 1) is queen's direction exactly
    [(_, score)] = queries.analogy(ANALOGY, "man", "king", "woman", topn=1)
    assert score == pytest.approx(1.0, abs=1e-6)
    # 3CosMul uses the evaluation's epsilon 0.001: for queen cos = 0.5, 0.5, 0 with b, c, a
    [(_, score)] = queries.analogy(ANALOGY, "man", "king", "woman", method="3cosmul", topn=1)
    assert score == pytest.approx(0.75 * 0.75 / (0.5 + 0.001), rel=1e-6)
    with pytest.raises(ValueError, match="unknown analogy method"):
        queries.analogy(ANALOGY, "man", "king", "woman", method="cosine")
    with pytest.raises(KeyNotFoundError):
        queries.analogy(ANALOGY, "man", "KING!", "woman")


def test_case_insensitive_uses_the_most_frequent_variant_and_leaves_variants_out():
    # "QUEEN" folds to queen (count 3) and Queen (count 5): Queen stands for it
    exact = ANALOGY.most_similar("queen", topn=None)
    assert "Queen" in [k for k, _ in exact]
    with pytest.raises(KeyNotFoundError):
        ANALOGY.most_similar("QUEEN")
    folded = ANALOGY.most_similar("QUEEN", topn=None, case_sensitive=False)
    assert {"queen", "Queen"}.isdisjoint(k for k, _ in folded)
    assert dict(folded) == pytest.approx(dict(
        (k, s) for k, s in ANALOGY.most_similar("Queen", topn=None) if k != "queen"))
    vocab = VocabIndex(ANALOGY, case_sensitive=False)
    assert queries.most_similar(ANALOGY, "QUEEN", topn=None, vocab=vocab) == folded
    # the question words' variants are never answers: King is not an answer to man:KING::woman
    top = queries.analogy(ANALOGY, "MAN", "KING", "Woman", topn=None, case_sensitive=False)
    assert {"king", "King", "man", "woman"}.isdisjoint(k for k, _ in top)
    assert [k for k, _ in top] == ["queen", "Queen", "paris"]
    # KING stands for king (count 8, King has 2): cos 0.5 with man and queen, man's row first
    top = ANALOGY.most_similar_cosmul(["KING"], case_sensitive=False, topn=None)
    assert [k for k, _ in top] == ["man", "queen", "Queen", "woman", "paris"]


# -- argument checks -----------------------------------------------------------

def test_argument_errors(kv):
    with pytest.raises(ValueError, match="restrict_vocab"):
        kv.most_similar("w1", restrict_vocab=-1)
    with pytest.raises(ValueError, match="topn"):
        kv.most_similar_cosmul("w1", topn=1.5)
    with pytest.raises(ValueError, match="at least one word"):
        kv.doesnt_match([])
    with pytest.raises(KeyNotFoundError):
        kv.closer_than("w1", "nope")
    with pytest.raises(KeyNotFoundError):
        kv.rank("nope", "w1")


def test_methods_carry_the_query_docs():
    doc = KeyedVectors.most_similar_cosmul.__doc__
    assert "Levy & Goldberg" in doc and "kv : KeyedVectors" not in doc
    assert "epsilon : float" in doc


def test_equal_rows_tie_exactly_wherever_they_sit():
    # a float32 matrix product scores these copies an ulp apart (it depends on
    # the row's place in memory); the copies must tie and come in row order
    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((3001, 7)).astype(np.float32)
    copies = [5, 6, 17, 1000, 2999, 3000]
    matrix[copies] = matrix[3000]
    kv = KeyedVectors([f"k{i}" for i in range(3001)], matrix)
    query = rng.standard_normal(7)
    for topn in (None, 400):
        result = kv.similar_by_vector(query, topn=topn)
        found = [(i, s) for i, (k, s) in enumerate(result) if int(k[1:]) in copies]
        assert [result[i][0] for i, _ in found] == [f"k{c}" for c in copies]
        assert found[-1][0] - found[0][0] == len(copies) - 1 and len({s for _, s in found}) == 1
    assert [k for k, _ in kv.most_similar("k3000", topn=5)] == ["k5", "k6", "k17", "k1000", "k2999"]
    assert kv.rank("k3000", "k2999") == 1 and kv.closer_than("k5", "k17") == []
    assert len(set(kv.distances(query, [f"k{c}" for c in copies]).tolist())) == 1


def test_similarity_is_the_score_most_similar_reports(kv):
    for key, score in kv.most_similar("w6", topn=None):
        assert kv.similarity("w6", key) == pytest.approx(score, abs=1e-7)


@pytest.mark.parametrize("method", METHODS)
def test_analogy_top_answer_is_the_evaluations_answer(tmp_path, method):
    from embkit.evaluation import evaluate_analogies

    rng = np.random.default_rng(5)
    keys = [f"v{i}" for i in range(40)]
    kv = KeyedVectors(keys, rng.standard_normal((40, 8)))
    triples = rng.choice(40, size=(30, 3), replace=True)
    triples = [t for t in triples.tolist() if len(set(t)) == 3]
    lines = [": random"]
    for a, b, c in triples:
        answer = queries.analogy(kv, keys[a], keys[b], keys[c], method=method, topn=1)[0][0]
        lines.append(f"{keys[a]} {keys[b]} {keys[c]} {answer}")
    path = tmp_path / "q.txt"
    path.write_text("\n".join(lines) + "\n")
    result = evaluate_analogies(kv, path, method=method, case_sensitive=True)
    assert result["answered"] == len(triples) > 20 and result["accuracy"] == 1.0
