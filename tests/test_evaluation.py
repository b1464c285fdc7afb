"""Analogy and similarity evaluation on hand-computed cases."""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from embkit.evaluation import (
    TooFewPairsError,
    VocabIndex,
    evaluate_all,
    evaluate_analogies,
    evaluate_similarity,
    load_analogies,
    load_similarity,
)
from embkit.exceptions import EmbkitError, FormatError
from embkit.io import load
from embkit.vectors import KeyedVectors

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
QUESTIONS = FIXTURES / "questions.txt"


@pytest.fixture(scope="module")
def analogy_kv():
    return load(FIXTURES / "analogy.vec")


@pytest.fixture(scope="module")
def sim_kv():
    return load(FIXTURES / "sim.vec")


def _sections(result):
    return {s["name"]: (s["correct"], s["answered"], s["total"], s["accuracy"])
            for s in result["sections"]}


def _strict_json(result):
    return json.loads(json.dumps(result, allow_nan=False))


# --------------------------------------------------------------------------- analogies

@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_default_counts(analogy_kv, method):
    r = evaluate_analogies(analogy_kv, QUESTIONS, method=method)
    assert _sections(r) == {"capital-common-countries": (1, 2, 3, 0.5), "family": (3, 3, 4, 1.0)}
    assert (r["correct"], r["answered"], r["skipped"], r["total"]) == (4, 5, 2, 7)
    assert r["accuracy"] == 0.8                       # micro-average, not the 0.75 macro mean
    assert r["coverage"] == pytest.approx(5 / 7)
    assert r["accuracy_oov_as_wrong"] == pytest.approx(4 / 7)
    assert r["method"] == method and r["dataset"] == str(QUESTIONS)
    assert _strict_json(r) == r


def test_analogy_case_sensitive(analogy_kv):
    r = evaluate_analogies(analogy_kv, QUESTIONS, case_sensitive=True)
    assert (r["correct"], r["answered"], r["total"]) == (3, 4, 7)
    assert r["accuracy"] == 0.75
    assert r["coverage"] == pytest.approx(4 / 7)
    assert _sections(r)["capital-common-countries"] == (0, 1, 3, 0.0)


def test_analogy_restrict_vocab_empty_section(analogy_kv):
    r = evaluate_analogies(analogy_kv, QUESTIONS, restrict_vocab=6)
    assert _sections(r) == {"capital-common-countries": (0, 0, 3, None), "family": (3, 3, 4, 1.0)}
    assert r["accuracy"] == 1.0
    assert r["coverage"] == pytest.approx(3 / 7)
    assert r["restrict_vocab"] == 6
    assert _strict_json(r) == r                       # None, never NaN


def test_analogy_restrict_vocab_larger_than_vocab(analogy_kv):
    assert evaluate_analogies(analogy_kv, QUESTIONS, restrict_vocab=10**6)["accuracy"] == 0.8


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_analogy_bad_restrict_vocab(analogy_kv, bad):
    with pytest.raises(EmbkitError, match="restrict_vocab"):
        evaluate_analogies(analogy_kv, QUESTIONS, restrict_vocab=bad)


def test_analogy_unknown_method(analogy_kv):
    with pytest.raises(EmbkitError, match="3cosadd, 3cosmul"):
        evaluate_analogies(analogy_kv, QUESTIONS, method="cosine")
    assert evaluate_analogies(analogy_kv, QUESTIONS, method="3CosMul")["method"] == "3cosmul"


def test_analogy_malformed_file(analogy_kv, tmp_path):
    p = tmp_path / "q.txt"
    p.write_text(": family\nman woman king queen\nman woman king\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        evaluate_analogies(analogy_kv, p)
    assert err.value.lineno == 3 and str(p) in str(err.value)


def test_analogy_all_oov_gives_none(analogy_kv):
    r = evaluate_analogies(analogy_kv, [("x", "y", "z", "w")])
    assert r["accuracy"] is None and r["coverage"] == 0.0 and r["accuracy_oov_as_wrong"] == 0.0
    assert r["sections"] == [{"name": "default", "correct": 0, "answered": 0, "skipped": 1,
                              "total": 1, "accuracy": None}]


def test_analogy_excludes_question_words():
    # b - a + c points exactly at c; the best remaining candidate is "d"
    kv = KeyedVectors(["a", "b", "c", "d", "e"],
                      [[1, 0, 0], [1, 0, 0.01], [0, 1, 0], [0, 1, 0.5], [0, -1, 0]])
    for method in ("3cosadd", "3cosmul"):
        r = evaluate_analogies(kv, [("a", "b", "c", "d")], method=method)
        assert r["correct"] == 1, method


@pytest.mark.parametrize("setting", ["default", "tiny-chunks"])
def test_analogy_case_variants_use_most_frequent_and_are_excluded(monkeypatch, setting):
    if setting == "tiny-chunks":
        from embkit.evaluation import analogy
        monkeypatch.setattr(analogy, "_MIN_CHUNK", 2)
        monkeypatch.setattr(analogy, "_COS_BUDGET", 1)
        monkeypatch.setattr(analogy, "_DIRECT_RATIO", 1e9)
    keys = ["paris", "france", "rome", "Italy", "italy", "ROME"]
    vecs = [[1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1.2], [0, 1, 0, 1.3], [0, 1, 0, 1]]
    # france - paris + rome points exactly at "ROME": it would be the answer if
    # case variants of the question words were not excluded
    q = [("Paris", "France", "Rome", "Italy")]
    kv = KeyedVectors(keys, vecs)
    assert evaluate_analogies(kv, q)["correct"] == 1
    # exact matching: "Paris" is unknown
    assert evaluate_analogies(kv, q, case_sensitive=True)["answered"] == 0
    # counts decide which row stands for "rome" / "Rome"
    kv = KeyedVectors(keys, vecs, counts=[10, 10, 1, 5, 3, 7])
    vocab = VocabIndex(kv)
    assert vocab.row("Rome") == 5 and vocab.row("ITALY") == 3
    assert sorted(vocab.variants(2)) == [2, 5]
    # predicted "italy" (row 4) and gold "Italy" (row 3) are the same word
    r = evaluate_analogies(kv, q)
    assert (r["correct"], r["answered"]) == (1, 1)


def test_vocab_index_ties_prefer_lower_row():
    kv = KeyedVectors(["The", "the", "THE"], np.eye(3), counts=[5, 5, 9])
    assert VocabIndex(kv).row("the") == 2
    kv = KeyedVectors(["The", "the", "THE"], np.eye(3), counts=[5, 5, 1])
    assert VocabIndex(kv).row("tHe") == 0
    kv = KeyedVectors(["The", "the", "THE"], np.eye(3))
    assert VocabIndex(kv).row("the") == 0
    assert VocabIndex(kv, restrict_vocab=1).row("THE") == 0
    assert VocabIndex(kv, case_sensitive=True, restrict_vocab=2).row("THE") == -1


def _brute_force(kv, questions, method, n):
    """Reference answers, one question at a time in float64: {question index: row}."""
    unit = kv.unit_vectors[:n].astype(np.float64)
    k2i = {k: i for i, k in enumerate(kv.index_to_key[:n])}
    answers = {}
    for j, (_, a, b, c, d) in enumerate(questions):
        if not all(w in k2i for w in (a, b, c, d)):
            continue
        ca, cb, cc = (unit @ unit[k2i[w]] for w in (a, b, c))
        if method == "3cosadd":
            score = cb - ca + cc
        else:
            score = ((1 + cb) / 2) * ((1 + cc) / 2) / ((1 + ca) / 2 + 0.001)
        score[[k2i[a], k2i[b], k2i[c]]] = -np.inf
        answers[j] = int(np.argmax(score))
    return answers


# settings of the batched scorer: defaults; tiny blocks and vocabulary chunks;
# 3CosAdd by query products only / by shared word products only
SCORER_SETTINGS = {
    "default": {},
    "small-chunks": {"_BLOCK": 37, "_MIN_CHUNK": 16, "_COS_BUDGET": 3000, "_BATCH_SCORES": 500},
    "direct": {"_DIRECT_RATIO": 0.0},
    "shared": {"_DIRECT_RATIO": 1e9, "_BLOCK": 50, "_MIN_CHUNK": 16, "_COS_BUDGET": 3000},
}


def _analogy_problem(repeat_words):
    rng = np.random.default_rng(7)
    n, dim = 300, 8
    keys = [f"w{i}" for i in range(n)]
    base = rng.normal(size=(n, dim))
    kv = KeyedVectors(keys, base)
    # few distinct question words (like the real sets) or many
    pool = rng.choice(n - 20, size=40, replace=False) if repeat_words else np.arange(n - 20)
    questions = []
    for j in range(200):
        a, b, c = rng.choice(pool, size=3, replace=False)
        target = base[c] + base[b] - base[a]
        d = int(np.argmax(kv.unit_vectors @ (target / np.linalg.norm(target)).astype(np.float32)))
        if j % 3 == 0:
            d = int(rng.integers(n))
        word_d = keys[d] if j % 17 else "oov"
        questions.append((f"s{j % 4}", keys[a], keys[b], keys[c], word_d))
    return kv, questions


@pytest.mark.parametrize("setting", sorted(SCORER_SETTINGS))
@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
@pytest.mark.parametrize("repeat_words", [False, True])
def test_analogy_batches_match_brute_force(monkeypatch, setting, method, repeat_words):
    from embkit.evaluation import analogy
    for name, value in SCORER_SETTINGS[setting].items():
        monkeypatch.setattr(analogy, name, value)
    kv, questions = _analogy_problem(repeat_words)
    for restrict in (None, 250):
        limit = len(kv) if restrict is None else restrict
        answers = _brute_force(kv, questions, method, limit)
        n_correct = sum(kv.index_to_key[row] == questions[j][4] for j, row in answers.items())
        assert 0 < n_correct < len(answers)
        vocab = VocabIndex(kv, restrict, case_sensitive=True)
        idx = np.array(sorted(answers))
        rows = vocab.rows([questions[j][w] for j in idx for w in (1, 2, 3)]).reshape(-1, 3)
        unit = np.ascontiguousarray(kv.unit_vectors[:limit])
        for batch in (None, 1, 7):
            pred = analogy._predict(unit, vocab, rows[:, 0], rows[:, 1], rows[:, 2], method, batch)
            assert pred.tolist() == [answers[j] for j in idx], (restrict, batch)
            r = evaluate_analogies(kv, questions, method=method, restrict_vocab=restrict,
                                   batch_size=batch, case_sensitive=True)
            assert (r["correct"], r["answered"]) == (n_correct, len(answers))


def test_analogy_on_bundled_google_with_tiny_vocab():
    google = load_analogies("google")
    words = sorted({w.lower() for q in google.questions[:40] for w in (q.a, q.b, q.c, q.d)})
    rng = np.random.default_rng(0)
    kv = KeyedVectors(words, rng.normal(size=(len(words), 5)))
    r = evaluate_analogies(kv, "google")
    assert r["dataset"] == "google" and r["total"] == 19544
    assert r["answered"] >= 40 and len(r["sections"]) == 14
    assert sum(s["total"] for s in r["sections"]) == 19544
    assert all(s["accuracy"] is None or 0 <= s["accuracy"] <= 1 for s in r["sections"])


# --------------------------------------------------------------------------- similarity

@pytest.mark.parametrize("name", ["pairs_tab.txt", "pairs_space.txt"])
def test_similarity_drop_oov(sim_kv, name):
    r = evaluate_similarity(sim_kv, FIXTURES / name)
    assert r["spearman"] == pytest.approx(0.4, abs=1e-12)
    assert r["pearson"] == pytest.approx(0.537190, abs=5e-7)
    assert (r["pairs_used"], r["pairs_total"]) == (4, 5)
    assert r["oov"] == [["cat", "unicorn"]] and r["oov_share"] == pytest.approx(0.2)
    assert _strict_json(r) == r


def test_similarity_zero_oov(sim_kv):
    r = evaluate_similarity(sim_kv, FIXTURES / "pairs_tab.txt", oov="zero")
    assert r["spearman"] == pytest.approx(0.410391, abs=5e-7)
    assert r["pearson"] == pytest.approx(0.455146, abs=5e-7)
    assert (r["pairs_used"], r["pairs_total"]) == (5, 5)
    assert r["oov"] == [["cat", "unicorn"]] and r["oov_share"] == pytest.approx(0.2)


def test_similarity_bad_file(sim_kv):
    with pytest.raises(FormatError) as err:
        evaluate_similarity(sim_kv, FIXTURES / "pairs_bad.txt")
    assert "0 valid pairs" in str(err.value) and err.value.lineno == 1


def test_similarity_too_few_pairs_is_clear(sim_kv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TooFewPairsError, match="only 1 of 3 pairs"):
            evaluate_similarity(sim_kv, [("cat", "dog", 1), ("cat", "x", 2), ("y", "z", 3)])
        # with oov="zero" the same pairs are all scored
        r = evaluate_similarity(sim_kv, [("cat", "dog", 1), ("cat", "x", 2), ("y", "z", 3)],
                                oov="zero")
        assert r["pairs_used"] == 3


def test_similarity_constant_side_gives_none_without_warning(sim_kv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = evaluate_similarity(sim_kv, [("cat", "dog", 5), ("car", "bus", 5), ("cat", "car", 5)])
    assert r["spearman"] is None and r["pearson"] is None
    assert r["undefined"] == "the human scores of the scored pairs are all equal"
    assert _strict_json(r) == r


def test_similarity_constant_cosines_say_why():
    kv = KeyedVectors(["a", "b", "c"], np.zeros((3, 2)))
    r = evaluate_similarity(kv, [("a", "b", 3), ("a", "c", 1), ("b", "c", 2)])
    assert r["spearman"] is None and r["pearson"] is None
    assert r["undefined"] == "the model's cosines of the scored pairs are all equal (0; all-zero vectors give 0)"


def test_similarity_defined_correlation_has_no_reason(sim_kv):
    assert evaluate_similarity(sim_kv, FIXTURES / "pairs_tab.txt")["undefined"] is None


def test_similarity_case_handling(sim_kv):
    pairs = [("Cat", "DOG", 9), ("car", "Bus", 8), ("dog", "bus", 3), ("cat", "car", 1)]
    assert evaluate_similarity(sim_kv, pairs)["spearman"] == pytest.approx(0.4)
    r = evaluate_similarity(sim_kv, pairs, case_sensitive=True)
    assert r["oov"] == [["Cat", "DOG"], ["car", "Bus"]] and r["pairs_used"] == 2


def test_similarity_zero_vector_scores_zero():
    kv = KeyedVectors(["a", "b", "c", "z"], [[1, 0], [0.6, 0.8], [0, 1], [0, 0]])
    r = evaluate_similarity(kv, [("a", "b", 3), ("a", "c", 1), ("a", "z", 2)])
    # model 0.6, 0.0, 0.0 (a tie): ranks (3, 1, 2) vs (3, 1.5, 1.5) -> sqrt(3)/2
    assert r["spearman"] == pytest.approx(np.sqrt(3) / 2)


def test_similarity_unknown_oov_mode(sim_kv):
    with pytest.raises(EmbkitError, match="drop, zero"):
        evaluate_similarity(sim_kv, FIXTURES / "pairs_tab.txt", oov="skip")


# --------------------------------------------------------------------------- all

def test_evaluate_all_bundled():
    words = set()
    for name in ("ws353", "rg65", "mc30"):
        words |= {w.lower() for p in load_similarity(name).pairs for w in p[:2]}
    words |= {w.lower() for q in load_analogies("msr").questions[:50]
              for w in (q.a, q.b, q.c, q.d)}
    words = sorted(words)
    rng = np.random.default_rng(1)
    kv = KeyedVectors(words, rng.normal(size=(len(words), 6)))
    res = evaluate_all(kv)
    assert set(res) == {"analogies", "similarity"}
    assert [r["dataset"] for r in res["analogies"]] == ["google", "msr"]
    assert [r["dataset"] for r in res["similarity"]] == [
        "ws353", "ws353_sim", "ws353_rel", "simlex999", "men", "rw", "simverb3500",
        "mturk287", "mturk771", "rg65", "mc30"]
    by_name = {r["dataset"]: r for r in res["similarity"]}
    assert by_name["rg65"]["pairs_used"] == 65 and by_name["rg65"]["oov"] == []
    assert by_name["ws353"]["pairs_used"] == 353
    assert -1 <= by_name["mc30"]["spearman"] <= 1
    assert res["analogies"][1]["answered"] >= 50
    _strict_json(res)


def test_evaluate_all_records_too_few_pairs(sim_kv):
    res = evaluate_all(sim_kv, analogy_datasets=[],
                       similarity_datasets=["rg65", FIXTURES / "pairs_tab.txt"])
    rg, fixture = res["similarity"]
    assert rg["spearman"] is None and "at least 2" in rg["error"] and rg["pairs_used"] == 0
    assert rg["undefined"] == "fewer than 2 pairs scored"
    assert fixture["spearman"] == pytest.approx(0.4) and "error" not in fixture
