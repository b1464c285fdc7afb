"""Compass-aligned training: case B29 (frozen shared context, exact vocabularies, real errors) and CompassAligner."""
import hashlib
import json
import os
import shutil

import numpy as np
import pytest
from conftest import FIXTURES
from conftest import run_cli as run

import embkit
from embkit.corpus.encoded import EncodedCorpus
from embkit.exceptions import CorpusError, EmbkitError, InvalidParameterError, NotFittedError
from embkit.models._base import clone
from embkit.models.aligned import AlignedSlices, slice_name
from embkit.models.compass import CompassAligner, named_corpora

SLICE1 = FIXTURES / "corpus" / "b29_slice1.txt"
SLICE2 = FIXTURES / "corpus" / "b29_slice2.txt"
B29 = ["align", str(SLICE1), str(SLICE2), "--names", "slice1,slice2", "--min-count", "2", "--slice-min-count", "1",
       "--dim", "8", "--seed", "1", "--threads", "1", "-o", "out"]



def counts(kv):
    return dict(zip(kv.index_to_key, kv.counts.tolist()))


def row_sha(matrix, row):
    return hashlib.sha256(np.ascontiguousarray(matrix[row]).tobytes()).hexdigest()


def test_b29_compass_aligned_training(tmp_path):
    # the case's command, as given
    r = run(["-q", *B29], tmp_path)
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["compass.embkit", "manifest.json", "slice1.embkit",
                                                     "slice2.embkit"]
    compass = embkit.load(out / "compass.embkit")
    s1, s2 = embkit.load(out / "slice1.embkit"), embkit.load(out / "slice2.embkit")
    # 1. compass vocabulary: min_count 2 over both slices; mat and log (1 each) dropped
    assert counts(compass) == {"the": 6, "cat": 2, "sat": 2, "on": 2, "ran": 2, "dog": 2}
    # 2. slice vocabularies: the slice's compass words with their slice counts; one token dropped in each
    assert counts(s1) == {"the": 3, "cat": 2, "sat": 1, "on": 1, "ran": 1}
    assert counts(s2) == {"the": 3, "dog": 2, "sat": 1, "on": 1, "ran": 1}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(e["name"], e["file"], e["dropped_tokens"], e["dropped_words"], e["raw_tokens"], e["tokens"])
            for e in manifest["slices"]] == [("slice1", "slice1.embkit", 1, 1, 9, 8),
                                              ("slice2", "slice2.embkit", 1, 1, 9, 8)]
    assert manifest["compass"]["words"] == 6 and manifest["method"] == "cade" and manifest["complete"]
    # 4. every slice converts to .vec with the compass's dim
    for name in ("slice1", "slice2"):
        r = run(["-q", "convert", f"out/{name}.embkit", f"{name}.vec"], tmp_path)
        assert r.exit_code == 0, r.output
        header = (tmp_path / f"{name}.vec").read_text().splitlines()[0]
        assert header == "5 8"

    # 3. frozen context, with training that actually updates (no subsampling of this tiny corpus)
    r = run(["-q", *B29[:-1], "trained", "--sample", "0"], tmp_path)
    assert r.exit_code == 0, r.output
    compass = embkit.load(tmp_path / "trained" / "compass.embkit")
    for name in ("slice1", "slice2"):
        kv = embkit.load(tmp_path / "trained" / f"{name}.embkit")
        for w in kv.index_to_key:
            i, j = kv.key_to_index[w], compass.key_to_index[w]
            assert row_sha(kv.context, i) == row_sha(compass.context, j), (name, w)
            assert row_sha(kv.vectors, i) != row_sha(compass.vectors, j), (name, w)    # only targets move

    # 5. errors: slices before a compass (library), and a compass of dim 8 reused with dim 16 (CLI)
    with pytest.raises(NotFittedError, match="compass not trained"):
        CompassAligner(embkit.CBOW(dim=8, min_count=2, progress=False)).fit_slice("slice1", str(SLICE1))
    for extra in ([], ["--skip-existing"]):
        r = run(["-q", *[("16" if a == "8" else a) for a in B29], *extra], tmp_path)
        assert r.exit_code == 1
        assert "dim=8" in r.output and "dim=16" in r.output and "compass.embkit" in r.output
        assert len(r.output.strip().splitlines()) == 1


def _corpus(tmp_path, name, seed, n=300, extra=()):
    """A small corpus with structure: sentences drawn from two topics."""
    rng = np.random.default_rng(seed)
    topics = [["king", "queen", "crown", "palace", "royal"], ["river", "water", "boat", "fish", "bank"]]
    lines = []
    for _ in range(n):
        t = topics[rng.integers(2)] + list(extra)
        p = [0.4, 0.25, 0.15, 0.12, 0.08] if not extra else [0.3, 0.25, 0.15, 0.12, 0.08, 0.1]
        lines.append(" ".join(rng.choice(t, size=6, p=p)))
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _est(**kw):
    params = dict(dim=8, min_count=2, epochs=2, sample=0, threads=1, seed=3, progress=False)
    params.update(kw)
    return embkit.CBOW(**params)


def test_fit_equals_compass_then_slices(tmp_path):
    a, b = _corpus(tmp_path, "a", 1), _corpus(tmp_path, "b", 2, extra=["money"])
    whole = CompassAligner(_est()).fit([a, b])
    assert list(whole.slices_) == ["a", "b"]
    steps = CompassAligner(_est()).fit_compass({"a": a, "b": b})
    steps.fit_slice("a", a).fit_slice("b", b)
    np.testing.assert_array_equal(whole.compass_.vectors, steps.compass_.vectors)
    for n in ("a", "b"):
        np.testing.assert_array_equal(whole.slices_[n].vectors, steps.slices_[n].vectors)
        np.testing.assert_array_equal(whole.slices_[n].context,
                                      whole.compass_.context[[whole.compass_.key_to_index[w]
                                                              for w in whole.slices_[n].index_to_key]])
    assert "money" in whole.compass_ and "money" not in whole.slices_["a"] and "money" in whole.slices_["b"]
    assert whole.stats_["a"]["dropped_tokens"] == 0 and whole.stats_["b"]["dropped_tokens"] == 0
    assert 0 < whole.stats_["a"]["mean_cosine_to_compass"] <= 1
    aligned = whole.aligned_
    assert isinstance(aligned, AlignedSlices) and aligned.names == ["a", "b"] and aligned.compass is whole.compass_
    assert whole.compass_.meta["compass"]["slices"] == ["a", "b"]
    assert whole.slices_["b"].meta["alignment"]["method"] == "cade"


def test_slice_min_count_and_encoded_or_token_inputs(tmp_path):
    a, b = _corpus(tmp_path, "a", 1), _corpus(tmp_path, "b", 2)
    enc = EncodedCorpus.encode(a, min_count=1, progress=False)
    sents = [line.split() for line in open(b)] + [["rare"]]
    al = CompassAligner(_est(min_count=1), slice_min_count=200).fit({"x": enc, "y": sents})
    for n in ("x", "y"):
        kv = al.slices_[n]
        assert kv.counts.min() >= 200 and list(kv.counts) == sorted(kv.counts, reverse=True)
    assert "rare" in al.compass_ and "rare" not in al.slices_["y"]
    st = al.stats_["y"]
    assert st["raw_tokens"] == 1801 and st["raw_tokens"] - st["tokens"] == st["dropped_tokens"] > 0
    with pytest.raises(CorpusError, match="no compass word occurs at least 5000 times"):
        CompassAligner(_est(), slice_min_count=5000).fit([a, b])


def test_procrustes_method(tmp_path):
    a, b = _corpus(tmp_path, "a", 1), _corpus(tmp_path, "b", 2)
    al = CompassAligner(_est(), method="procrustes", anchor_min_count=5).fit([a, b])
    assert al.compass_ is None and al.manifest_["method"] == "procrustes"
    assert al.stats_["b"]["anchors"] == 10 and al.stats_["b"]["reference"] == "a"
    alone = _est().fit(a)
    np.testing.assert_array_equal(al.slices_["a"].vectors, alone.wv.vectors)   # the reference is not rotated
    with pytest.raises(InvalidParameterError, match="no compass"):
        CompassAligner(_est(), method="procrustes").fit_compass([a, b])


def test_output_directory_skip_existing_and_compass_checks(tmp_path):
    a, b = _corpus(tmp_path, "a", 1), _corpus(tmp_path, "b", 2)
    out = tmp_path / "out"
    first = CompassAligner(_est()).fit({"a": a, "b": b}, output=out)
    stamp = {p: os.stat(p / "vectors.npy").st_mtime_ns for p in out.glob("*.embkit")}
    again = CompassAligner(_est()).fit({"a": a, "b": b}, output=out, skip_existing=True)
    assert {p: os.stat(p / "vectors.npy").st_mtime_ns for p in out.glob("*.embkit")} == stamp
    np.testing.assert_array_equal(again.slices_["b"].vectors, first.slices_["b"].vectors)
    loaded = AlignedSlices.load(out)
    assert loaded.names == ["a", "b"] and loaded.compass is not None and loaded.manifest["complete"]
    # a slice lost after an interruption is trained again against the kept compass
    shutil.rmtree(out / "b.embkit")
    again = CompassAligner(_est()).fit({"a": a, "b": b}, output=out, skip_existing=True)
    np.testing.assert_array_equal(again.slices_["b"].vectors, first.slices_["b"].vectors)
    # a compass that does not fit the options: named with both values, with or without skip_existing
    for skip in (False, True):
        with pytest.raises(EmbkitError, match=r"model='cbow' but the options give model='sgns'"):
            CompassAligner(embkit.SkipGram(dim=8, min_count=2, progress=False)).fit([a, b], output=out,
                                                                                    skip_existing=skip)
        with pytest.raises(EmbkitError, match=r"min_count=2 but the options give min_count=3"):
            CompassAligner(_est(min_count=3)).fit([a, b], output=out, skip_existing=skip)
    with pytest.raises(EmbkitError, match="dim=8 but the options give dim=4"):
        CompassAligner(_est(dim=4)).use_compass(first.compass_)


def test_names_and_parameters_are_checked(tmp_path):
    a = _corpus(tmp_path, "a", 1)
    assert slice_name("/x/sotu_1790-1899.txt.gz") == "sotu_1790-1899" and slice_name([["a"]], 2) == "slice3"
    assert named_corpora({"x": a, "y": a})[0] == ["x", "y"]
    with pytest.raises(EmbkitError, match="two slices are named 'a'"):
        named_corpora([a, a])
    with pytest.raises(EmbkitError, match="'compass' cannot name a slice"):
        named_corpora({"compass": a})
    with pytest.raises(EmbkitError, match="cannot name a file"):
        named_corpora({"a/b": a})
    with pytest.raises(EmbkitError, match="at least two slices"):
        CompassAligner(_est()).fit([a])
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        CompassAligner(_est(), method="twec").fit([a, a])
    with pytest.raises(InvalidParameterError, match="slice_epochs must be"):
        CompassAligner(_est(), slice_epochs=-1).check_params()
    with pytest.raises(InvalidParameterError, match="estimator must be"):
        CompassAligner("cbow").check_params()
    s = CompassAligner(_est(epochs=3), compass_epochs=7).check_params()
    assert (s["compass_epochs"], s["slice_epochs"], s["slice_min_count"]) == (7, 3, 2)
    al = CompassAligner(_est())
    assert al.get_params()["estimator__dim"] == 8
    copy = clone(CompassAligner(_est(), method="procrustes"))
    assert copy.method == "procrustes" and copy.estimator.dim == 8 and not hasattr(copy, "slices_")
