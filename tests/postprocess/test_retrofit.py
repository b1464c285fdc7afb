"""retrofit(): hand-computed values, the NumPy oracle, the lexicon's awkward inputs (case B27 and its kind)."""
import numpy as np
import pytest
from conftest import FIXTURES

import embkit
from embkit import KeyedVectors
from embkit.exceptions import EmbkitError, InvalidParameterError
from embkit.postprocess.lexicon import Lexicon
from embkit.postprocess.retrofit import retrofit

from .reference import gauss_seidel_retrofit, reference_graph, reference_retrofit, similar_edges

B27 = FIXTURES / "retrofit"


def toy():
    """a=[2,0], b=[0,2], c=[4,4]; lexicon a -> b, c and b -> a; c has no entry."""
    kv = KeyedVectors(["a", "b", "c"], [[2.0, 0.0], [0.0, 2.0], [4.0, 4.0]], counts=[5, 3, 1])
    return kv, {"a": ["b", "c"], "b": ["a"]}


def report(kv):
    return kv.meta["retrofit"]["report"]


# --------------------------------------------------------------------------- hand-computed values

def test_one_and_two_jacobi_iterations_by_hand():
    kv, lex = toy()
    # a1 = (a^ + (b0 + c0)/2)/2 = ([2,0] + [2,3])/2;  b1 = (b^ + a0)/2 = ([0,2] + [2,0])/2
    one = retrofit(kv, lex, iterations=1, normalize=False)
    np.testing.assert_allclose(one.vectors, [[2.0, 1.5], [1.0, 1.0], [4.0, 4.0]], rtol=1e-6)
    # a2 = ([2,0] + ([1,1] + [4,4])/2)/2 = [2.25, 1.25];  b2 = ([0,2] + [2,1.5])/2 = [1, 1.75]
    two = retrofit(kv, lex, iterations=2, normalize=False)
    np.testing.assert_allclose(two.vectors, [[2.25, 1.25], [1.0, 1.75], [4.0, 4.0]], rtol=1e-6)


def test_converges_to_the_fixed_point_by_hand():
    kv, lex = toy()
    # 4a = 2a^ + b + c and 2b = b^ + a  =>  7a = 4a^ + b^ + 2c = [16, 10]
    out = retrofit(kv, lex, iterations=200, normalize=False)
    np.testing.assert_allclose(out["a"], [16 / 7, 10 / 7], rtol=1e-5)
    np.testing.assert_allclose(out["b"], [8 / 7, 12 / 7], rtol=1e-5)


def test_jacobi_differs_from_the_reference_scripts_in_place_update():
    kv, lex = toy()
    # in place, a first: a1 = [2, 1.5], then b1 already sees a1: ([0,2] + [2,1.5])/2 = [1, 1.75]
    gs = gauss_seidel_retrofit(kv.vectors, {0: [1, 2], 1: [0]}, order=[0, 1], iterations=1)
    np.testing.assert_allclose(gs[1], [1.0, 1.75])
    assert retrofit(kv, lex, iterations=1, normalize=False)["b"].tolist() == [1.0, 1.0]
    # same fixed point
    gs = gauss_seidel_retrofit(kv.vectors, {0: [1, 2], 1: [0]}, order=[0, 1], iterations=200)
    np.testing.assert_allclose(retrofit(kv, lex, iterations=200, normalize=False).vectors, gs, rtol=1e-5)


def test_alpha_and_constant_beta_by_hand():
    kv, lex = toy()
    # alpha 2, beta 1: a1 = (2a^ + b + c)/4 = [2, 1.5];  b1 = (2b^ + a)/3 = [2/3, 4/3]
    out = retrofit(kv, lex, iterations=1, alpha=2.0, beta=1.0, normalize=False)
    np.testing.assert_allclose(out.vectors[:2], [[2.0, 1.5], [2 / 3, 4 / 3]], rtol=1e-6)
    # alpha 0: the mean of the neighbours
    out = retrofit(kv, lex, iterations=1, alpha=0.0, normalize=False)
    np.testing.assert_allclose(out.vectors[:2], [[2.0, 3.0], [2.0, 0.0]], rtol=1e-6)


def test_weights_by_hand():
    kv, _ = toy()
    lex = Lexicon.from_mapping({"a": {"b": 3.0, "c": 1.0}})
    # inverse-degree: beta_ab = 3/4, beta_ac = 1/4: a1 = ([2,0] + [0,1.5] + [1,1]) / 2
    out = retrofit(kv, lex, iterations=1, normalize=False)
    np.testing.assert_allclose(out["a"], [1.5, 1.25], rtol=1e-6)


def test_symmetric_graph_by_hand():
    kv, lex = toy()
    # edges a-b, a-c: c now moves too: c1 = (c^ + a0)/2 = [3, 2]
    out = retrofit(kv, lex, iterations=1, graph="symmetric", normalize=False)
    np.testing.assert_allclose(out.vectors, [[2.0, 1.5], [1.0, 1.0], [3.0, 2.0]], rtol=1e-6)
    edges = report(out)["edges"]
    assert edges["used"] == 3 and edges["graph"] == 4 and edges["reverse_added"] == 1


def test_normalize_scales_inputs_first():
    kv, lex = toy()
    out = retrofit(kv, lex, iterations=0)
    np.testing.assert_allclose(out.vectors, [[1, 0], [0, 1], [2 ** -0.5, 2 ** -0.5]], rtol=1e-6)
    zero = KeyedVectors(["a", "b"], [[0.0, 0.0], [3.0, 4.0]])
    out = retrofit(zero, {"b": ["a"]}, iterations=1)
    np.testing.assert_allclose(out.vectors, [[0, 0], [0.3, 0.4]], rtol=1e-6)
    assert np.isfinite(report(out)["movement"]).all()


# --------------------------------------------------------------------------- beyond the paper

def test_center_by_hand():
    # unit rows [1,0], [0,1], [s,s] (s = 1/sqrt 2); mean m = [(1+s)/3, (1+s)/3]; centred, then unit length again
    kv, lex = toy()
    out = retrofit(kv, lex, iterations=0, center=True)
    s = 2 ** -0.5
    m = (1 + s) / 3
    rows = np.array([[1 - m, -m], [-m, 1 - m], [s - m, s - m]])
    np.testing.assert_allclose(out.vectors, rows / np.linalg.norm(rows, axis=1, keepdims=True), atol=1e-6)
    raw = retrofit(kv, lex, iterations=0, center=True, normalize=False)       # without normalize: only centred
    np.testing.assert_allclose(raw.vectors, kv.vectors - kv.vectors.mean(axis=0), atol=1e-6)


def test_min_similarity_by_hand():
    # cos(a, b) = 0, cos(a, c) = cos(b, c) = 0.7071: with min_similarity 0.5 only a -> c is left
    kv, lex = toy()
    out = retrofit(kv, lex, iterations=1, normalize=False, min_similarity=0.5)
    np.testing.assert_allclose(out.vectors, [[3.0, 2.0], [0.0, 2.0], [4.0, 4.0]], rtol=1e-6)
    edges = report(out)["edges"]
    assert edges["dropped"]["dissimilar"] == 2 and edges["used"] == 1 and edges["graph"] == 1
    assert edges["read"] == edges["used"] + sum(edges["dropped"].values())
    # the cosine is that of the input as given: centring first does not change which edges are kept
    centred = retrofit(kv, lex, iterations=1, normalize=False, min_similarity=0.5, center=True)
    assert report(centred)["edges"]["dropped"]["dissimilar"] == 2
    keep_all = retrofit(kv, lex, iterations=1, normalize=False, min_similarity=-1.0)
    np.testing.assert_array_equal(keep_all.vectors, retrofit(kv, lex, iterations=1, normalize=False).vectors)


def test_min_similarity_with_case_folding_keeps_a_lexicon_edge_while_one_key_agrees():
    kv = KeyedVectors(["x", "US", "us"], [[1.0, 0.0], [1.0, 0.1], [-1.0, 0.0]])
    out = retrofit(kv, {"x": ["us"]}, iterations=1, case="fold", normalize=False, min_similarity=0.0)
    edges = report(out)["edges"]
    assert edges["used"] == 1 and edges["graph"] == 1 and edges["dropped"]["dissimilar"] == 0
    np.testing.assert_allclose(out["x"], [1.0, 0.05], rtol=1e-6)       # inverse-degree: (x + US) / 2


def test_presets():
    from embkit.postprocess.retrofit import PRESETS

    kv, lex = toy()
    paper = retrofit(kv, lex, **PRESETS["paper"])
    np.testing.assert_array_equal(paper.vectors, retrofit(kv, lex).vectors)
    assert PRESETS["rare-words"] == {"alpha": 2.25, "center": True, "min_similarity": 0.35}
    settings = retrofit(kv, lex, **PRESETS["rare-words"]).meta["retrofit"]["settings"]
    assert settings["alpha"] == 2.25 and settings["center"] and settings["min_similarity"] == 0.35


# --------------------------------------------------------------------------- case B27

def test_b27_retrofitting_does_not_lowercase_words():
    """Case B27 (mfaruqui/retrofitting#11): apple and Apple stay two words with their own neighbours."""
    kv = embkit.load(B27 / "b27_in.vec")
    for iterations in (1, 10):
        out = retrofit(kv, B27 / "b27_lexicon.txt", iterations=iterations, graph="directed")
        assert out.index_to_key == ["apple", "Apple", "fruit", "company"]
        np.testing.assert_allclose(out["apple"], [0.8, 0.4], atol=1e-6)
        np.testing.assert_allclose(out["Apple"], [0.4, 0.2], atol=1e-6)
        np.testing.assert_allclose(out["fruit"], [0.6, 0.8], atol=1e-6)
        np.testing.assert_allclose(out["company"], [0.8, -0.6], atol=1e-6)
    words = report(out)["words"]
    assert words == {"vectors": 4, "lexicon": 4, "in_both": 4, "retrofitted": 2}


def test_b27_case_folding_is_explicit_and_reported():
    kv = embkit.load(B27 / "b27_in.vec")
    out = retrofit(kv, B27 / "b27_lexicon.txt", case="fold")
    assert len(out) == 4                                   # keys never merge
    # the lines 'apple fruit' and 'Apple company' become one head with two neighbours, applied to both keys
    np.testing.assert_allclose(out["apple"], [0.85, 0.05], atol=1e-6)
    np.testing.assert_allclose(out["Apple"], [0.35, 0.55], atol=1e-6)
    rep = report(out)
    assert rep["words"]["lexicon_words_matching_several_keys"] == 1
    assert rep["entries"]["repeated_heads"] == 1


def test_case_fold_splits_a_neighbour_over_its_keys():
    kv = KeyedVectors(["x", "US", "us", "Us"], [[1.0, 0.0], [0.0, 1.0], [0.0, 3.0], [0.0, 5.0]])
    out = retrofit(kv, {"x": ["us"]}, iterations=1, case="fold", normalize=False)
    # one lexicon neighbour matching three keys: weight 1/3 each, so x1 = (x^ + mean of the three)/2
    np.testing.assert_allclose(out["x"], [0.5, 1.5], rtol=1e-6)
    exact = retrofit(kv, {"x": ["us"]}, iterations=1, normalize=False)
    np.testing.assert_allclose(exact["x"], [0.5, 1.5], rtol=1e-6)   # only 'us' [0, 3]
    assert report(exact)["words"]["in_both"] == 2


# --------------------------------------------------------------------------- the whole kind

def test_repeated_heads_are_merged_and_counted():
    kv, _ = toy()
    lex = Lexicon.from_mapping([("a", ["b"]), ("a", ["c"])])
    out = retrofit(kv, lex, iterations=1, normalize=False)
    np.testing.assert_allclose(out["a"], [2.0, 1.5], rtol=1e-6)     # as with 'a b c'
    assert report(out)["entries"]["repeated_heads"] == 1


def test_duplicate_edges_count_once():
    kv, _ = toy()
    lex = Lexicon.from_mapping([("a", ["b", "b", "c"]), ("a", ["b"])])
    out = retrofit(kv, lex, iterations=1, normalize=False)
    np.testing.assert_allclose(out["a"], [2.0, 1.5], rtol=1e-6)
    assert report(out)["edges"]["dropped"]["duplicate"] == 2
    assert report(out)["edges"]["used"] == 2


def test_self_loops_are_dropped():
    kv, _ = toy()
    out = retrofit(kv, {"a": ["a", "b"], "c": ["c"]}, iterations=1, normalize=False)
    np.testing.assert_allclose(out.vectors, [[1.0, 1.0], [0.0, 2.0], [4.0, 4.0]], rtol=1e-6)
    rep = report(out)
    assert rep["edges"]["dropped"]["self_loop"] == 2
    assert rep["words"]["retrofitted"] == 1


def test_words_missing_from_the_vectors_are_dropped_and_counted():
    kv, _ = toy()
    out = retrofit(kv, {"a": ["b", "zzz"], "yyy": ["a", "b"], "b": ["xxx"]}, iterations=1, normalize=False)
    # a's degree counts only b; b keeps its vector (its only neighbour is unknown)
    np.testing.assert_allclose(out.vectors, [[1.0, 1.0], [0.0, 2.0], [4.0, 4.0]], rtol=1e-6)
    rep = report(out)
    assert rep["edges"]["dropped"] == {"self_loop": 0, "duplicate": 0, "head_not_in_vectors": 2,
                                       "neighbour_not_in_vectors": 2, "dissimilar": 0}
    assert rep["edges"]["read"] == rep["edges"]["used"] + sum(rep["edges"]["dropped"].values())
    assert rep["words"] == {"vectors": 3, "lexicon": 5, "in_both": 2, "retrofitted": 1}


def test_empty_neighbour_lists_are_counted(tmp_path):
    kv, _ = toy()
    p = tmp_path / "lex.txt"
    p.write_text("a\nb a\n\n# c b\nc\n", encoding="utf-8")
    out = retrofit(kv, p, iterations=1, normalize=False)
    np.testing.assert_allclose(out.vectors, [[2.0, 0.0], [1.0, 1.0], [4.0, 4.0]], rtol=1e-6)
    rep = report(out)
    assert rep["entries"] == {"read": 3, "repeated_heads": 0, "empty": 2, "lines": 5, "blank": 1, "comments": 1}


def test_lexicon_without_any_usable_edge_returns_the_input():
    kv, _ = toy()
    out = retrofit(kv, {"zzz": ["yyy"]}, normalize=False)
    np.testing.assert_array_equal(out.vectors, kv.vectors)
    assert report(out)["words"]["retrofitted"] == 0 and report(out)["movement"] == [0.0] * 10


# --------------------------------------------------------------------------- against the oracle

def _random_case(seed):
    rng = np.random.default_rng(seed)
    keys = ["w%d" % i for i in range(25)] + ["W3", "W4", "w3x", "Cat", "cat", "CAT"]
    vectors = rng.normal(size=(len(keys), 6))
    pool = keys + ["unk1", "unk2", "Unk1"]
    entries = []
    for _ in range(40):
        head = pool[rng.integers(len(pool))]
        nbrs = [(pool[rng.integers(len(pool))], float(rng.choice([1.0, 0.5, 2.5])))
                for _ in range(rng.integers(0, 6))]
        entries.append((head, nbrs))
    return keys, vectors, entries


def _lexicon(entries):
    heads, flat, weights, offsets = [], [], [], [0]
    for head, nbrs in entries:
        heads.append(head)
        flat.extend(n for n, _ in nbrs)
        weights.extend(w for _, w in nbrs)
        offsets.append(len(flat))
    return Lexicon(heads, flat, offsets, weights)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("graph", ["directed", "symmetric"])
@pytest.mark.parametrize("case", ["exact", "fold"])
def test_matches_the_numpy_oracle(seed, graph, case):
    keys, vectors, entries = _random_case(seed)
    kv = KeyedVectors(keys, vectors)
    edges = reference_graph(entries, keys, graph=graph, case=case)
    for settings in ({}, {"alpha": 0.5, "beta": 0.7, "iterations": 4, "normalize": False},
                     {"alpha": 2.0, "center": True}, {"center": True, "normalize": False, "iterations": 3}):
        out = retrofit(kv, _lexicon(entries), graph=graph, case=case, **settings)
        want = reference_retrofit(vectors, edges, **settings)
        np.testing.assert_allclose(out.vectors, want, rtol=2e-5, atol=2e-6)
        assert report(out)["edges"]["graph"] == sum(len(n) for n in edges.values())
        assert report(out)["words"]["retrofitted"] == sum(1 for n in edges.values() if n)
    if graph == "directed":      # symmetrising after filtering equals filtering the symmetric graph
        kept = similar_edges(vectors, edges, 0.1)
        out = retrofit(kv, _lexicon(entries), graph=graph, case=case, min_similarity=0.1, center=True)
        np.testing.assert_allclose(out.vectors, reference_retrofit(vectors, kept, center=True), rtol=2e-5,
                                   atol=2e-6)


# --------------------------------------------------------------------------- input and output

def test_input_untouched_counts_kept_context_dropped():
    kv = KeyedVectors(["a", "b", "c"], [[2.0, 0.0], [0.0, 2.0], [4.0, 4.0]], counts=[5, 3, 1],
                      context=np.ones((3, 2)), meta={"created": "2020-01-01T00:00:00+00:00", "params": {"dim": 2}})
    before = kv.vectors.copy()
    out = retrofit(kv, {"a": ["b"]})
    np.testing.assert_array_equal(kv.vectors, before)
    assert kv.meta == {"created": "2020-01-01T00:00:00+00:00", "params": {"dim": 2}}
    assert out.counts.tolist() == [5, 3, 1] and out.counts is not kv.counts
    assert out.context is None and out.vectors.dtype == np.float32
    assert out.meta["params"] == {"dim": 2} and "created" not in out.meta
    entry = out.meta["retrofit"]
    assert entry["source_created"] == "2020-01-01T00:00:00+00:00"
    assert entry["settings"] == {"iterations": 10, "alpha": 1.0, "beta": "inverse-degree", "graph": "directed",
                                 "case": "exact", "normalize": True, "center": False, "min_similarity": None}
    again = retrofit(out, {"b": ["a"]})
    assert again.meta["retrofit"]["previous"] == entry


def test_saved_and_read_back(tmp_path):
    kv, lex = toy()
    out = retrofit(kv, lex)
    embkit.save(out, tmp_path / "r.embkit")
    back = embkit.load(tmp_path / "r.embkit")
    np.testing.assert_array_equal(back.vectors, out.vectors)
    assert back.counts.tolist() == [5, 3, 1]
    assert back.meta["retrofit"]["report"]["edges"]["used"] == 3


def test_a_subclass_keeps_its_other_arrays():
    class WithNgrams(KeyedVectors):
        pass

    kv = WithNgrams(["a", "b"], [[1.0, 0.0], [0.0, 1.0]])
    kv.ngrams = np.full((4, 2), 7.0, dtype=np.float32)
    out = retrofit(kv, {"a": ["b"]})
    assert type(out) is WithNgrams and out.ngrams is kv.ngrams
    np.testing.assert_allclose(out["a"], [0.5, 0.5])
    np.testing.assert_allclose(kv["a"], [1.0, 0.0])


def test_non_finite_vectors_are_refused():
    kv = KeyedVectors(["a", "b"], [[1.0, 0.0], [np.nan, 1.0]])
    with pytest.raises(EmbkitError, match="row 1, key 'b'"):
        retrofit(kv, {"a": ["b"]})


@pytest.mark.parametrize("kwargs, param", [
    ({"iterations": -1}, "iterations"), ({"iterations": 2.5}, "iterations"), ({"alpha": -0.1}, "alpha"),
    ({"alpha": float("nan")}, "alpha"), ({"beta": 0}, "beta"), ({"beta": "degree"}, "beta"),
    ({"beta": float("inf")}, "beta"), ({"graph": "undirected"}, "graph"), ({"case": "lower"}, "case"),
    ({"normalize": "yes"}, "normalize"), ({"center": 1}, "center"), ({"min_similarity": 1.5}, "min_similarity"),
    ({"min_similarity": float("nan")}, "min_similarity"), ({"min_similarity": "0.3"}, "min_similarity"),
])
def test_bad_parameters(kwargs, param):
    kv, lex = toy()
    with pytest.raises(InvalidParameterError) as err:
        retrofit(kv, lex, **kwargs)
    assert err.value.param == param


def test_bad_lexicon_arguments(tmp_path):
    kv, _ = toy()
    with pytest.raises(EmbkitError, match="neither a built-in lexicon"):
        retrofit(kv, str(tmp_path / "missing.txt"))
    with pytest.raises(EmbkitError, match="is a directory"):
        retrofit(kv, tmp_path)
    with pytest.raises(TypeError):
        retrofit(kv, 42)
    with pytest.raises(TypeError):
        retrofit(kv.vectors, {"a": ["b"]})


@pytest.mark.slow
def test_builtin_wordnet_lexicon():
    kv = KeyedVectors(["dog", "puppy", "cat", "zebra"], np.eye(4))
    out = retrofit(kv, "wordnet", iterations=1)
    rep = report(out)
    assert out.meta["retrofit"]["lexicon"] == "wordnet"
    assert out.meta["retrofit"]["lexicon_path"].endswith("wordnet30-synonyms+.txt.gz")
    assert rep["entries"]["read"] == 139870 and rep["edges"]["read"] == 1002236
    assert rep["words"]["in_both"] == 4
    # dog's only neighbour in these vectors is puppy (cat is no WordNet neighbour of dog), and puppy's is dog
    np.testing.assert_allclose(out.vectors[:2], [[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0]], atol=1e-6)
    assert rep["words"]["retrofitted"] == 2


def test_integer_weights_are_words_and_a_warning_says_so(caplog):
    kv, _ = toy()
    out = retrofit(kv, {"a": ["b:2", "c"]}, iterations=1, normalize=False)
    np.testing.assert_allclose(out["a"], [3.0, 2.0], rtol=1e-6)           # only c: ([2,0] + [4,4]) / 2
    assert report(out)["edges"]["dropped"]["neighbour_not_in_vectors"] == 1
    assert "'b:2' match no key" in caplog.text and "(b:2.0)" in caplog.text


def test_builtin_lexicon_checksum_is_verified(tmp_path, monkeypatch):
    import json
    import types

    from embkit.postprocess import lexicon as lexicon_module

    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "w.txt").write_text("dog puppy\n", encoding="utf-8")
    registry = {"datasets": [{"name": "wordnet", "kind": "lexicon", "path": "lexicons/w.txt", "sha256": "0" * 64}]}
    (tmp_path / "REGISTRY.json").write_text(json.dumps(registry), encoding="utf-8")
    monkeypatch.setattr(lexicon_module, "resources", types.SimpleNamespace(files=lambda package: tmp_path))
    with pytest.raises(EmbkitError, match="checksum mismatch for built-in lexicon 'wordnet'"):
        retrofit(toy()[0], "wordnet")
    (tmp_path / "lexicons" / "w.txt").unlink()
    with pytest.raises(EmbkitError, match="is missing"):
        retrofit(toy()[0], "wordnet")
