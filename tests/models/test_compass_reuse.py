"""`embkit align --skip-existing` reuses only the models of the same run; `embkit shift` on what is not a directory."""
import json
import os
import shutil

import numpy as np
import pytest
from conftest import FIXTURES
from conftest import run_cli as run

import embkit
from embkit.models._reuse import matrix_sha256
from embkit.models.compass import CompassAligner

SLICE1 = FIXTURES / "corpus" / "b29_slice1.txt"
SLICE2 = FIXTURES / "corpus" / "b29_slice2.txt"
OPTS = ["--min-count", "2", "--slice-min-count", "1", "--dim", "8", "--seed", "1", "--threads", "1", "--sample", "0",
        "--anchor-min-count", "1"]
FT = ["--model", "fasttext", "--minn", "2", "--maxn", "3", "--bucket", "64"]


def align(tmp_path, *extra, corpora=(SLICE1, SLICE2), out="out"):
    return run(["align", *map(str, corpora), "--names", "s1,s2", *OPTS, "-o", out, *extra], tmp_path)


def stamps(directory):
    """Each model's vectors.npy modification time (rewritten models get new ones)."""
    return {p.name: os.stat(p / "vectors.npy").st_mtime_ns for p in sorted(directory.glob("*.embkit"))}


def manifest(directory):
    return json.loads((directory / "manifest.json").read_text())


def test_records_say_how_each_slice_was_made(tmp_path):
    """The manifest and each slice's meta record the method, the sources (path and size) and the compass used."""
    assert align(tmp_path, "-q").exit_code == 0
    m = manifest(tmp_path / "out")
    compass = embkit.load(tmp_path / "out" / "compass.embkit")
    assert m["compass"]["context_sha256"] == matrix_sha256(compass.context) and len(m["compass"]["sources"]) == 2
    # "the cat sat on the mat\nthe cat ran\n": 23 + 12 bytes
    assert m["slices"][0]["sources"] == [{"path": os.path.realpath(SLICE1), "size": 35}]
    for e in m["slices"]:
        assert e["method"] == "cade" and e["compass_sha256"] == m["compass"]["context_sha256"]
        meta = embkit.load(tmp_path / "out" / e["file"]).meta["alignment"]
        assert meta["compass_sha256"] == e["compass_sha256"] and meta["sources"] == e["sources"]
    # the identity is of the matrix's bytes: one changed value changes it
    changed = np.array(compass.context)
    changed[0, 0] += 1
    assert matrix_sha256(changed) != matrix_sha256(compass.context)


def test_another_method_or_model_is_refused(tmp_path):
    """A CADE output re-run with --method procrustes --skip-existing (and the reverse) stops, naming both."""
    assert align(tmp_path, "-q").exit_code == 0
    before = (tmp_path / "out" / "manifest.json").read_text()
    r = align(tmp_path, "--method", "procrustes", "--skip-existing")
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
    assert "method='cade' but the options give method='procrustes'" in r.output and "manifest.json" in r.output
    assert (tmp_path / "out" / "manifest.json").read_text() == before
    assert align(tmp_path, "-q", "--method", "procrustes", out="p").exit_code == 0
    r = align(tmp_path, "--skip-existing", out="p")
    assert r.exit_code == 1 and "method='procrustes' but the options give method='cade'" in r.output
    assert not (tmp_path / "p" / "compass.embkit").exists()
    r = align(tmp_path, "--method", "procrustes", "--model", "sgns", "--skip-existing", out="p")
    assert r.exit_code == 1 and "model='cbow' but the options give model='sgns'" in r.output


def test_removed_compass_means_no_slice_is_reused(tmp_path):
    """After rm compass.embkit, the re-run retrains the compass and every slice (the old ones fit the old compass)."""
    assert align(tmp_path, "-q").exit_code == 0
    before = stamps(tmp_path / "out")
    shutil.rmtree(tmp_path / "out" / "compass.embkit")
    r = align(tmp_path, "--skip-existing")
    assert r.exit_code == 0, r.output
    for name in ("s1", "s2"):
        assert (f"slice {name}: not reusing out/{name}.embkit: the compass is trained anew in this run; training it "
                "again") in r.output
    after = stamps(tmp_path / "out")
    assert all(after[n] != before[n] for n in ("s1.embkit", "s2.embkit"))
    m = manifest(tmp_path / "out")
    assert {e["compass_sha256"] for e in m["slices"]} == {m["compass"]["context_sha256"]}


def test_slices_of_another_compass_are_trained_again(tmp_path):
    """Slices trained against another compass (same corpora, other seed) were reused; now they are trained again."""
    assert align(tmp_path, "-q").exit_code == 0
    seed2 = [("2" if i and OPTS[i - 1] == "--seed" else a) for i, a in enumerate(OPTS)]
    assert run(["align", str(SLICE1), str(SLICE2), "--names", "s1,s2", *seed2, "-q", "-o", "seed2"],
               tmp_path).exit_code == 0
    shutil.rmtree(tmp_path / "out" / "compass.embkit")
    shutil.copytree(tmp_path / "seed2" / "compass.embkit", tmp_path / "out" / "compass.embkit")
    r = align(tmp_path, "--skip-existing")
    assert r.exit_code == 0, r.output
    assert "reusing the compass out/compass.embkit" in r.output
    assert r.output.count("it was trained against another compass (compass_sha256 ") == 2
    m = manifest(tmp_path / "out")
    assert {e["compass_sha256"] for e in m["slices"]} == {manifest(tmp_path / "seed2")["compass"]["context_sha256"]}


def test_a_slice_name_reused_for_another_corpus_is_refused(tmp_path):
    """A slice name given another corpus reused the old slice (of b29_slice2): now the run stops, naming both."""
    other = tmp_path / "other.txt"
    other.write_text("the dog sat\nthe cat ran on\n")           # 12 + 15 bytes
    assert align(tmp_path, "-q").exit_code == 0
    before = stamps(tmp_path / "out")
    r = align(tmp_path, "--skip-existing", corpora=(SLICE1, other))
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
    assert (f"compass.embkit was trained with slice 's2' from {os.path.realpath(SLICE2)} (35 bytes) but the options "
            f"give {os.path.realpath(other)} (27 bytes)") in r.output
    assert "write to another directory, or leave out --skip-existing" in r.output
    # without the compass, the slice itself is refused, before anything is trained
    shutil.rmtree(tmp_path / "out" / "compass.embkit")
    r = align(tmp_path, "--skip-existing", corpora=(SLICE1, other))
    assert r.exit_code == 1
    assert (f"out/s2.embkit was trained on {os.path.realpath(SLICE2)} (35 bytes) but the options give "
            f"{os.path.realpath(other)} (27 bytes) for slice 's2'") in r.output
    assert stamps(tmp_path / "out") == {k: v for k, v in before.items() if k != "compass.embkit"}
    # a corpus whose size changed is another corpus too
    assert align(tmp_path, "-q", corpora=(SLICE1, other), out="o2").exit_code == 0
    other.write_text("the dog sat\nthe cat ran on the mat\n")   # 12 + 23 bytes
    r = align(tmp_path, "--skip-existing", corpora=(SLICE1, other), out="o2")
    assert r.exit_code == 1 and "(27 bytes) but the options give" in r.output and "(35 bytes)" in r.output


def test_procrustes_slices_follow_their_reference(tmp_path):
    """Procrustes: a slice rotated onto a reference trained anew (or onto another slice) is trained again."""
    assert align(tmp_path, "-q", "--method", "procrustes").exit_code == 0
    before = stamps(tmp_path / "out")
    shutil.rmtree(tmp_path / "out" / "s2.embkit")            # the reference (s1) stays: it is reused
    r = align(tmp_path, "--method", "procrustes", "--skip-existing")
    assert r.exit_code == 0 and "slice s1: reusing out/s1.embkit" in r.output and "not reusing" not in r.output
    m = manifest(tmp_path / "out")
    assert m["slices"][1]["reference_sha256"] == m["slices"][0]["vectors_sha256"]
    assert stamps(tmp_path / "out")["s1.embkit"] == before["s1.embkit"]
    shutil.rmtree(tmp_path / "out" / "s1.embkit")
    r = align(tmp_path, "--method", "procrustes", "--skip-existing")
    assert r.exit_code == 0
    assert "slice s2: not reusing out/s2.embkit: its reference slice 's1' is trained anew in this run" in r.output
    r = run(["align", str(SLICE2), str(SLICE1), "--names", "s2,s1", *OPTS, "-o", "out", "--method", "procrustes",
             "--skip-existing"], tmp_path)
    assert r.exit_code == 0
    assert "slice s2: not reusing out/s2.embkit: it was aligned to slice 's1', not to 's2'" in r.output
    assert "slice s1: not reusing out/s1.embkit: it was aligned to slice 's1', not to 's2'" in r.output


@pytest.mark.parametrize("fmt,model", [("fasttext-bin", FT), ("word2vec", []), ("word2vec-bin", FT)])
def test_reused_slices_without_metadata_keep_their_manifest_records(tmp_path, fmt, model):
    """--skip-existing over .bin/.vec slices nulled their manifest records and settings: now they are kept."""
    assert align(tmp_path, "-q", "--format", fmt, *model).exit_code == 0
    first = manifest(tmp_path / "out")
    r = align(tmp_path, "--format", fmt, *model, "--skip-existing", "--window", "2", "--epochs", "1")
    assert r.exit_code == 0, r.output
    ext = ".vec" if fmt == "word2vec" else ".bin"
    assert f"slice s1: reusing out/s1{ext}" in r.output and "records no training settings" not in r.output
    assert f"reusing out/s2{ext}, trained with other settings than given: window 5 (given 2), epochs 5 (given 1)" \
        in r.output
    again = manifest(tmp_path / "out")
    for key in ("settings", "compass", "slices", "shared_vocabulary"):
        assert again[key] == first[key], key
    assert again["slices"][0]["words"] == 5 and again["slices"][0]["raw_tokens"] == 9
    assert again["settings"]["window"] == 5 and again["settings"]["epochs"] == 5
    # a slice file the manifest has no record of is not reused (nothing says how it was made)
    m = manifest(tmp_path / "out")
    m["slices"] = m["slices"][:1]
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(m))
    r = align(tmp_path, "--format", fmt, *model, "--skip-existing")
    assert r.exit_code == 0
    assert (f"slice s2: not reusing out/s2{ext}: neither manifest.json nor the model records how it was made"
            in r.output)


def test_token_lists_are_not_matched_with_existing_models(tmp_path, caplog):
    """Token lists cannot be matched with the models' records: nothing is reused, each with a warning.

    (The re-run was refused before: a compass trained on token lists records tokenizer='given'.)
    """
    est = embkit.CBOW(dim=8, min_count=2, epochs=1, sample=0, threads=1, seed=1, progress=False)
    corpora = {"s1": [line.split() for line in open(SLICE1)], "s2": [line.split() for line in open(SLICE2)]}
    first = CompassAligner(est).fit(corpora, output=tmp_path / "out")
    assert first.manifest_["slices"][0]["sources"] == [{"path": "<sentences>"}]
    CompassAligner(est).fit(corpora, output=tmp_path / "out", skip_existing=True)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(w.startswith("not reusing") and "compass.embkit: its corpora cannot be compared" in w for w in warnings)
    assert sum("its corpus is not given as files (token lists, standard input)" in w for w in warnings) == 2


def test_shift_on_a_file_or_a_model_says_it_is_not_an_alignment_directory(tmp_path):
    """`embkit shift FILE` said "no such directory" of a file that exists."""
    assert align(tmp_path, "-q").exit_code == 0
    r = run(["shift", "out/manifest.json"], tmp_path)
    assert r.exit_code == 1
    assert r.output.strip() == ("embkit: error: out/manifest.json: a file, not an alignment output directory (write "
                                "one with `embkit align CORPUS_A CORPUS_B -o DIR`)")
    r = run(["shift", "out/s1.embkit"], tmp_path)
    assert r.exit_code == 1 and "out/s1.embkit: a model, not an alignment output directory" in r.output
    with pytest.raises(NotADirectoryError, match="not an alignment output directory"):
        embkit.AlignedSlices.load(tmp_path / "out" / "manifest.json")
