"""Semantic-change measures on tiny hand-made slices: shift, neighbourhood overlap, neighbours, self-retrieval."""
import math

import numpy as np
import pytest

from embkit.evaluation.shift import neighbors_in, self_retrieval, shift_report, shift_scores, slice_pairs
from embkit.exceptions import EmbkitError
from embkit.models.aligned import AlignedSlices
from embkit.vectors import KeyedVectors

WORDS = ["x", "y", "z", "w"]
# slice a: x=(1,0) y=(0,1) z=(1,1) w=(-1,0); slice b: x=(0,1) y=(0,1) z=(1,0) w=(-1,0)
A = KeyedVectors(WORDS, [[1, 0], [0, 1], [1, 1], [-1, 0]], counts=[30, 30, 30, 5])
B = KeyedVectors(WORDS, [[0, 1], [0, 1], [1, 0], [-1, 0]], counts=[40, 40, 40, 40])
S = AlignedSlices({"a": A, "b": B}, manifest={"method": "cade"})


def test_shift_is_the_cosine_distance_and_overlap_the_jaccard_of_neighbours():
    rows = shift_scores({"a": A, "b": B}, "a", "b", min_count=1, k=1)
    # cosines: x 0, y 1, z 1/sqrt(2), w 1.  k=1 neighbours among x, y, z, w (equal cosines: the earlier word):
    # in a: x->z, y->z, z->x (x and y tie), w->y;  in b: x->y, y->x, z->x (x, y tie), w->x
    assert [(r["word"], r["shift"], r["overlap"]) for r in rows] == [
        ("x", 1.0, 0.0), ("z", round(1 - 1 / math.sqrt(2), 6), 1.0), ("w", 0.0, 0.0), ("y", 0.0, 0.0)]
    assert rows[0]["cosine"] == 0.0 and rows[0]["count_a"] == 30 and rows[0]["count_b"] == 40


def test_min_count_applies_in_both_slices_and_words_override_it():
    rows = shift_scores(S, "a", "b", min_count=20, k=1)
    assert [r["word"] for r in rows] == ["x", "z", "y"]          # w occurs 5 times in a
    # among x, y, z only: a: x->z, y->z, z->x; b: x->y, y->x, z->x
    assert [r["overlap"] for r in rows] == [0.0, 1.0, 0.0]
    rows = shift_scores(S, "a", "b", min_count=20, k=2, words=["w"])
    # w joins the neighbour search; its 2 neighbours: in a y (0), z (-0.707); in b x (0), y (0)
    assert [(r["word"], r["shift"], r["overlap"]) for r in rows] == [("w", 0.0, round(1 / 3, 6))]
    with pytest.raises(EmbkitError, match="not in slice 'b'.*'q'"):
        shift_scores({"a": KeyedVectors(["q"], [[1, 0]]), "b": B}, "a", "b", words=["q"])
    with pytest.raises(EmbkitError, match="no slice 'c'; the slices are: a, b"):
        shift_scores(S, "a", "c")


def test_neighbours_within_a_slice_and_across_slices():
    assert neighbors_in(S, "a", "x", k=2) == [("z", round(1 / math.sqrt(2), 6)), ("y", 0.0)]
    # the 1st slice's x, (1, 0), among the 2nd slice's words: z (1), then x and y (0; x comes first)
    assert neighbors_in(S, "b", "x", k=2, of="a") == [("z", 1.0), ("x", 0.0)]
    assert neighbors_in(S, "a", "x", k=5, min_count=10) == [("z", round(1 / math.sqrt(2), 6)), ("y", 0.0)]
    with pytest.raises(EmbkitError, match="'v' is not in slice 'a'"):
        neighbors_in(S, "a", "v")


def test_self_retrieval_searches_the_whole_other_slice():
    # a's x -> b's z; a's y (0,1) -> b's x (ties with y, earlier row); a's z -> b's x (x, y, z tie); w -> w
    assert self_retrieval(S, "a", "b", min_count=1) == {"top1": 0.25, "words": 4, "hits": 1}
    assert self_retrieval(S, "a", "b", min_count=31) == {"top1": None, "words": 0, "hits": 0}
    same = KeyedVectors(WORDS, np.eye(4)[:, :3] + 0.01, counts=[50] * 4)
    assert self_retrieval({"p": same, "q": same}, "p", "q")["top1"] == 1.0


def test_pairs_and_report():
    assert slice_pairs(["1", "2", "3"]) == [("1", "2"), ("2", "3")]
    assert slice_pairs(["1", "2", "3"], "all") == [("1", "2"), ("1", "3"), ("2", "3")]
    with pytest.raises(EmbkitError, match="pairs must be one of"):
        slice_pairs(["1", "2"], "some")
    report = shift_report(S, top=2, min_count=20, k=1)
    assert report["slices"] == ["a", "b"] and report["method"] == "cade"
    (pair,) = report["pairs"]
    assert pair["scored"] == 3
    assert [r["word"] for r in pair["most_shifted"]] == ["x", "z"]
    assert [r["word"] for r in pair["most_stable"]] == ["y", "z"]
    assert pair["most_shifted"][0]["neighbors_a"] == [["z", round(1 / math.sqrt(2), 6)]]
    report = shift_report(S, min_count=20, k=1, words=["w"])
    assert [r["word"] for r in report["pairs"][0]["words"]] == ["w"]
    with pytest.raises(EmbkitError, match="at least two slices"):
        shift_report({"a": A})
