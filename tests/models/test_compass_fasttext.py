"""Compass-aligned training of fastText models: `embkit align --model fasttext|fasttext-cbow` and the library."""
import hashlib

import numpy as np
import pytest
from conftest import FIXTURES
from conftest import run_cli as run

import embkit
from embkit.exceptions import EmbkitError
from embkit.models.compass import CompassAligner
from embkit.subword_vectors import SubwordVectors

SLICE1 = FIXTURES / "corpus" / "b29_slice1.txt"
SLICE2 = FIXTURES / "corpus" / "b29_slice2.txt"
ARGS = ["align", str(SLICE1), str(SLICE2), "--names", "slice1,slice2", "--min-count", "2", "--slice-min-count", "1",
        "--dim", "8", "--seed", "1", "--threads", "1", "--sample", "0", "--minn", "2", "--maxn", "3",
        "--bucket", "64"]



def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


@pytest.mark.parametrize("model", ["fasttext", "fasttext-cbow"])
def test_b29_with_fasttext_models(tmp_path, model):
    """Case B29's properties hold for the fastText models: frozen shared context, slices of compass words."""
    r = run(["-q", *ARGS, "--model", model, "-o", "out"], tmp_path)
    assert r.exit_code == 0, r.output
    compass = embkit.load(tmp_path / "out" / "compass.embkit")
    assert isinstance(compass, SubwordVectors) and compass.meta["model"] == model
    assert (compass.minn, compass.maxn, compass.bucket) == (2, 3, 64)
    for name, only in (("slice1", "cat"), ("slice2", "dog")):
        kv = embkit.load(tmp_path / "out" / f"{name}.embkit")
        assert isinstance(kv, SubwordVectors) and kv.bucket == 64
        assert only in kv and len(kv) == 5
        for w in kv.index_to_key:                    # the context matrix stays the compass's, bit for bit
            assert sha(kv.context[kv.key_to_index[w]]) == sha(compass.context[compass.key_to_index[w]])
        # the slice trained its own and n-gram rows away from the compass's
        assert sha(kv.ngram_vectors) != sha(compass.ngram_vectors)
        assert not np.array_equal(kv["cat"], compass["cat"])
        # an unseen word has a vector in every slice, from that slice's n-gram rows
        assert "cattle" not in kv and np.linalg.norm(kv["cattle"]) > 0


def test_fasttext_bin_slices_and_usage_errors(tmp_path):
    r = run(["-q", *ARGS, "--model", "fasttext-cbow", "--format", "fasttext-bin", "-o", "bin"], tmp_path)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["compass.embkit", "manifest.json",
                                                                    "slice1.bin", "slice2.bin"]
    back = embkit.load(tmp_path / "bin" / "slice1.bin")
    assert isinstance(back, SubwordVectors) and back.bucket == 64 and len(back) == 5
    # fasttext-bin holds subword models only; fastText's options need a fastText model (usage errors, exit 2)
    r = run(["-q", *ARGS[:-6], "--model", "cbow", "--format", "fasttext-bin", "-o", "x"], tmp_path)
    assert r.exit_code == 2 and "--model fasttext" in r.output
    r = run(["-q", *ARGS, "--model", "cbow", "-o", "x"], tmp_path)
    assert r.exit_code == 2 and "--minn" in r.output and "fasttext" in r.output
    # an existing compass with other n-gram settings is refused, naming both values
    r = run(["-q", *ARGS[:-1], "128", "--model", "fasttext-cbow", "-o", "bin", "--skip-existing"], tmp_path)
    assert r.exit_code == 1 and "bucket=64" in r.output and "bucket=128" in r.output


def test_procrustes_keeps_subword_slices(tmp_path):
    est = embkit.FastText(sg=False, dim=8, min_count=1, epochs=2, sample=0, threads=1, seed=2, minn=2, maxn=3,
                          bucket=64, progress=False)
    a = CompassAligner(est, method="procrustes", anchor_min_count=1).fit({"s1": str(SLICE1), "s2": str(SLICE2)})
    s2 = a.slices_["s2"]
    assert isinstance(s2, SubwordVectors) and s2.meta["alignment"]["method"] == "procrustes"
    assert np.linalg.norm(s2["doggo"]) > 0
    with pytest.raises(EmbkitError, match="estimator must be a SkipGram, CBOW, Word2Vec or FastText"):
        CompassAligner(embkit.GloVe()).check_params()
