"""Compass-aligned training of fastText models: `embkit align --model fasttext|fasttext-cbow` and the library."""
import hashlib
import json

import numpy as np
import pytest
from conftest import FIXTURES
from conftest import run_cli as run

import embkit
from embkit.evaluation.shift import neighbors_in, shift_scores
from embkit.exceptions import EmbkitError, KeyNotFoundError
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


def test_shift_and_neighbors_in_compose_words_a_subword_slice_lacks(tmp_path):
    """`shift --words` and neighbors_in refused ("not in slice") words that fastText slices compose from n-grams."""
    r = run(["-q", *ARGS, "--model", "fasttext", "-o", "out"], tmp_path)
    assert r.exit_code == 0, r.output
    aligned = embkit.AlignedSlices.load(tmp_path / "out")
    s1, s2 = aligned["slice1"], aligned["slice2"]
    assert "cat" in s1 and "cat" not in s2

    def unit(v):
        return v / np.linalg.norm(v)

    # slice2's vector of "cat" is the mean of its n-gram rows; the shift compares it with slice1's own vector
    row = shift_scores(aligned, "slice1", "slice2", min_count=1, k=2, words=["cat", "catz"])
    cos = float(unit(s1.vectors[s1.key_to_index["cat"]]) @ unit(s2.compose("cat")))
    assert row[0]["word"] == "cat" and row[0]["cosine"] == pytest.approx(cos, abs=1e-6)
    assert (row[0]["count_a"], row[0]["count_b"], row[0]["composed"]) == (2, 0, ["slice2"])
    assert (row[1]["count_a"], row[1]["count_b"], row[1]["composed"]) == (0, 0, ["slice1", "slice2"])
    # slice2's words nearest to slice1's "cat", and slice1's words nearest to slice2's composed "cat"
    got = neighbors_in(aligned, "slice1", "cat", k=5, of="slice2")
    sims = s1.unit_vectors @ unit(s2.compose("cat"))
    assert [w for w, _ in got] == [s1.index_to_key[i] for i in np.argsort(-sims, kind="stable")]
    assert [c for _, c in got] == [round(float(x), 6) for x in np.sort(sims)[::-1]]
    assert [w for w, _ in neighbors_in(aligned, "slice2", "cat", k=5, of="slice1")][0] in s2
    # the table marks composed counts, the JSON lists the slices
    r = run(["shift", "out", "--words", "cat,catz", "--min-count", "1", "--k", "2"], tmp_path)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[4].split()[1:6] == ["catz", f"{row[1]['shift']:.3f}", f"{row[1]['overlap']:.2f}", "0*", "0*"]
    assert lines[3].split()[1:2] + lines[3].split()[4:6] == ["cat", "2", "0*"]
    assert "0*: not in that slice; its vector is composed from the word's character n-grams" in r.output
    r = run(["shift", "out", "--words", "cat", "--json", "--min-count", "1"], tmp_path)
    assert json.loads(r.output)["pairs"][0]["words"][0]["composed"] == ["slice2"]
    # word-vector slices keep the error
    plain = embkit.AlignedSlices({n: embkit.KeyedVectors(kv.index_to_key, kv.vectors)
                                  for n, kv in aligned.slices.items()})
    with pytest.raises(KeyNotFoundError, match="'cat' is not in slice 'slice2'"):
        neighbors_in(plain, "slice1", "cat", of="slice2")
    with pytest.raises(KeyNotFoundError, match="not in slice 'slice2'"):
        shift_scores(plain, "slice1", "slice2", words=["cat"])


def test_plot_of_a_composed_word(tmp_path):
    """`shift --plot --words` on fastText slices refused words a slice composes ("in none of the slices")."""
    pytest.importorskip("matplotlib")
    assert run(["-q", *ARGS, "--model", "fasttext", "-o", "out"], tmp_path).exit_code == 0
    r = run(["shift", "out", "--words", "catz", "--min-count", "1", "--plot", "fig"], tmp_path)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "fig-catz.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_align_joins_terms_in_every_slice(tmp_path):
    """align --terms (and --phrases): each slice is encoded with the terms joined, as train does."""
    (tmp_path / "a.txt").write_text("new york is big\nthe new york times\nold york\n" * 4)
    (tmp_path / "b.txt").write_text("new york city\nin new york today\nyork minster\n" * 4)
    (tmp_path / "t.txt").write_text("new york\n")
    r = run(["-q", "align", "a.txt", "b.txt", "--terms", "t.txt", "--min-count", "2", "--dim", "8", "--epochs", "1",
             "--threads", "1", "--seed", "1", "-o", "out"], tmp_path)
    assert r.exit_code == 0, r.output
    for name, york in (("a", 4), ("b", 4)):
        kv = embkit.load(tmp_path / "out" / f"{name}.embkit")
        assert kv.counts[kv.key_to_index["new_york"]] == 8 and kv.counts[kv.key_to_index["york"]] == york


def test_align_over_an_existing_alignment_says_it_replaces_it(tmp_path):
    """Without --skip-existing, writing into a directory that holds an alignment warns before replacing it."""
    args = ["align", str(SLICE1), str(SLICE2), "--names", "s1,s2", "--min-count", "2", "--slice-min-count", "1",
            "--dim", "4", "--epochs", "1", "--threads", "1", "-o", "out"]
    assert run(["-q", *args], tmp_path).exit_code == 0
    r = run(["-q", *args], tmp_path)
    assert r.exit_code == 0
    assert "warning: out holds an alignment already (slices s1, s2); this run replaces its compass, manifest" \
           in r.stderr


def test_align_phrases_auto_detects_once_over_every_slice(tmp_path):
    """--phrases auto: a term frequent in one slice only is joined in the other slice too (one detection)."""
    filler = "the cat sat on the mat\nsome other words here\n"
    (tmp_path / "a.txt").write_text("big new york city\nto new york again\n" * 6 + filler * 3)
    (tmp_path / "b.txt").write_text("one new york day\n" * 2 + filler * 6)
    r = run(["align", "a.txt", "b.txt", "--phrases", "auto", "--min-count", "2", "--slice-min-count", "1",
             "--dim", "8", "--epochs", "1", "--threads", "1", "--seed", "1", "-o", "out", "--log-level", "info"],
            tmp_path)
    assert r.exit_code == 0, r.output
    assert "terms detected over every slice, joined in each" in r.stderr
    b = embkit.load(tmp_path / "out" / "b.embkit")
    assert b.counts[b.key_to_index["new_york"]] == 2 and "york" not in b


def test_phrases_auto_rerun_with_skip_existing_reuses_quietly(tmp_path):
    """The terms detected over every slice are for encoding only: records keep phrases='auto', so a re-run with
    --skip-existing reuses every model without a settings warning."""
    (tmp_path / "a.txt").write_text("big new york city\nto new york again\n" * 6)
    (tmp_path / "b.txt").write_text("one new york day\nthe cat sat\n" * 4)
    args = ["align", "a.txt", "b.txt", "--phrases", "auto", "--min-count", "2", "--slice-min-count", "1", "--dim",
            "8", "--epochs", "1", "--threads", "1", "--seed", "1", "-o", "out", "-q"]
    assert run(args, tmp_path).exit_code == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["settings"]["phrases"] == "auto"
    r = run(args + ["--skip-existing"], tmp_path)
    assert r.exit_code == 0 and r.stderr == "", r.stderr
