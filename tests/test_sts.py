"""Sentence similarity (STS): averaged and SIF-weighted word vectors, hand-computed cosines and Spearman."""
import numpy as np
import pytest

import embkit
from embkit import KeyedVectors
from embkit.evaluation.datasets import dataset_info
from embkit.evaluation.sts import evaluate_sts, load_sts, read_sts
from embkit.exceptions import EmbkitError, FormatError, InvalidParameterError
from embkit.postprocess.frequencies import NoCountsError

PAIRS = [
    ("A a", "a.", 5.0),          # [1, 0] vs [1, 0]: cosine 1
    ("a b", "b", 4.0),           # [.5, .5] vs [0, 1]: cosine 1/sqrt(2)
    ("a", "b", 2.0),             # orthogonal: 0
    ("zzz", "a", 1.0),           # no known word on the left: scored 0
]


def kv(counts=(6, 2, 2)):
    return KeyedVectors(["a", "b", "c"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], counts=counts)


def test_mean_weighting_by_hand():
    r = evaluate_sts(kv(), PAIRS)
    # ranks: gold (4, 3, 2, 1), model (4, 3, 1.5, 1.5): rho = 4.5 / sqrt(5 * 4.5)
    assert r["spearman"] == pytest.approx(100 * 4.5 / np.sqrt(5 * 4.5))
    gold = np.array([5.0, 4.0, 2.0, 1.0])
    model = np.array([1.0, 1 / np.sqrt(2), 0.0, 0.0])
    assert r["pearson"] == pytest.approx(100 * np.corrcoef(gold, model)[0, 1])
    assert (r["pairs"], r["empty_sentences"], r["pairs_with_empty"]) == (4, 1, 1)
    assert (r["tokens"], r["tokens_known"]) == (10, 9) and r["token_coverage"] == pytest.approx(0.9)
    assert r["weighting"] == "mean" and "sif_a" not in r


def test_sif_weights_by_hand():
    # p = (.6, .2, .2), a = 1: weights 1/1.6 and 1/1.2 -> "a b" is [5/8, 5/6] ~ [3, 4]: cosine with b is 0.8
    pairs = [("a b", "b", 1.0), ("a", "a", 3.0), ("a", "b", 0.0)]
    r = evaluate_sts(kv(), pairs, weighting="sif", sif_a=1.0)
    model = np.array([0.8, 1.0, 0.0])
    assert r["pearson"] == pytest.approx(100 * np.corrcoef([1.0, 3.0, 0.0], model)[0, 1])
    assert r["spearman"] == pytest.approx(100.0) and r["sif_a"] == 1.0 and r["freq"] == "model"
    mean = evaluate_sts(kv(), pairs)
    assert mean["pearson"] == pytest.approx(100 * np.corrcoef([1.0, 3.0, 0.0], [1 / np.sqrt(2), 1, 0])[0, 1])


def test_file_dataset_with_comments(tmp_path):
    f = tmp_path / "pairs.tsv"
    f.write_text("# header\n" + "".join(f"{a}\t{b}\t{s}\n" for a, b, s in PAIRS) + "\n")
    data = read_sts(f)
    assert data.pairs == PAIRS and data.name == str(f)
    assert evaluate_sts(kv(), str(f))["spearman"] == pytest.approx(evaluate_sts(kv(), PAIRS)["spearman"])


def test_bundled_stsb_test_and_dev():
    test = load_sts("stsb")
    assert len(test) == 1379 and test.name == "stsb"
    assert test.pairs[0] == ("A girl is styling her hair.", "A girl is brushing her hair.", 2.5)
    assert len(load_sts("stsb_dev")) == 1500
    assert embkit.available_datasets("sts") == ["stsb", "stsb_dev"]
    for name in ("stsb", "stsb_dev"):
        assert len(load_sts(name)) == dataset_info(name)["items"]


def test_constant_cosines_are_undefined_not_nan():
    r = evaluate_sts(kv(), [("zzz", "a", 1.0), ("yyy", "b", 2.0)])
    assert r["spearman"] is None and "all equal" in r["undefined"] and r["empty_sentences"] == 2


@pytest.mark.parametrize("text, lineno", [("a\tb\n", 1), ("x\ty\t1\na\tb\tnope\n", 2)])
def test_malformed_files(tmp_path, text, lineno):
    f = tmp_path / "bad.tsv"
    f.write_text(text)
    with pytest.raises(FormatError) as info:
        read_sts(f)
    assert info.value.lineno == lineno


def test_errors():
    with pytest.raises(InvalidParameterError, match="unknown weighting"):
        evaluate_sts(kv(), PAIRS, weighting="tfidf")
    with pytest.raises(InvalidParameterError, match="sif_a"):
        evaluate_sts(kv(), PAIRS, weighting="sif", sif_a=0)
    with pytest.raises(NoCountsError, match="--freq zipf"):
        evaluate_sts(kv(counts=None), PAIRS, weighting="sif")
    evaluate_sts(kv(counts=None), PAIRS, weighting="sif", freq="zipf")
    with pytest.raises(EmbkitError, match="available: stsb, stsb_dev"):
        evaluate_sts(kv(), "nope")
    with pytest.raises(EmbkitError, match="bundled similarity data set"):
        evaluate_sts(kv(), "ws353")
    with pytest.raises(EmbkitError, match="sentence pair"):
        evaluate_sts(kv(), [("a", "b")])
