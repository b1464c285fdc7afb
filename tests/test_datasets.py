"""Bundled evaluation data: registry, checksums, look-up and file readers."""
import gzip
import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest

from embkit.evaluation import datasets as ds
from embkit.evaluation.datasets import (
    AnalogyDataset,
    AnalogyQuestion,
    available_datasets,
    corpus_path,
    dataset_info,
    dataset_path,
    load_analogies,
    load_similarity,
    read_analogies,
    read_similarity,
    verify_dataset,
)
from embkit.exceptions import EmbkitError, FormatError

FIXTURES = Path(__file__).parent / "fixtures" / "eval"

SIMILARITY = ["ws353", "ws353_sim", "ws353_rel", "simlex999", "men", "rw", "simverb3500",
              "mturk287", "mturk771", "rg65", "mc30"]
STS = ["stsb", "stsb_dev"]


@pytest.fixture
def fixtures():
    return FIXTURES


def _registry_json():
    return json.loads((resources.files("embkit_data") / "REGISTRY.json").read_text("utf-8"))


def test_available_datasets_by_kind():
    assert available_datasets("analogy") == ["google", "msr"]
    assert sorted(available_datasets("similarity")) == sorted(SIMILARITY)
    assert available_datasets("corpus") == ["sotu"]
    assert available_datasets("lexicon") == ["wordnet"]
    assert available_datasets("sts") == STS
    assert available_datasets("terms") == ["wordnet_multiword"]
    assert set(available_datasets()) == {"google", "msr", "sotu", "wordnet", "wordnet_multiword", *SIMILARITY, *STS}
    with pytest.raises(EmbkitError, match="unknown data set kind"):
        available_datasets("bogus")


def test_registry_fields_and_checksums():
    entries = _registry_json()["datasets"]
    assert len({e["name"] for e in entries}) == len(entries)
    for e in entries:
        for key in ("name", "kind", "path", "source", "licence", "citation", "note", "sha256"):
            assert isinstance(e[key], str) and e[key], (e["name"], key)
        data = dataset_path(e["name"], verify=False).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"], e["name"]
        assert len(data) == e["bytes"]
        verify_dataset(e["name"])
        if e["licence"].startswith("no licence"):
            assert "for research evaluation" in e["note"]


@pytest.mark.parametrize("name", ["google", "msr", *SIMILARITY])
def test_item_counts_match_registry(name):
    info = dataset_info(name)
    data = load_analogies(name) if info["kind"] == "analogy" else load_similarity(name)
    assert len(data) == info["items"]
    assert data.name == name


def test_google_and_msr_layout():
    google = load_analogies("google")
    assert len(google.sections) == 14
    assert google.sections[0] == "capital-common-countries"
    assert google.questions[0] == AnalogyQuestion("capital-common-countries",
                                                  "Athens", "Greece", "Baghdad", "Iraq")
    msr = load_analogies("msr")
    assert len(msr.sections) == 16
    assert msr.sections[0] == "JJ_JJR"
    assert msr.questions[0] == AnalogyQuestion("JJ_JJR", "good", "better", "rough", "rougher")
    assert not any(w.startswith(":") for q in google.questions + msr.questions
                   for w in (q.a, q.b, q.c, q.d))


def test_similarity_scores_parsed():
    rg = load_similarity("rg65")
    assert rg.pairs[0] == ("gem", "jewel", 3.94)
    men = load_similarity("men")
    assert men.pairs[0] == ("sun", "sunlight", 50.0)


def test_checksum_mismatch_is_reported(monkeypatch):
    registry = {name: dict(e) for name, e in ds._registry().items()}
    registry["rg65"]["sha256"] = "0" * 64
    monkeypatch.setattr(ds, "_registry_cache", registry)
    with pytest.raises(EmbkitError, match="checksum mismatch.*rg65"):
        load_similarity("rg65")
    with pytest.raises(EmbkitError, match="checksum mismatch"):
        dataset_path("rg65")
    assert len(load_similarity("mc30")) == 30


def test_unknown_name_lists_available():
    with pytest.raises(EmbkitError) as err:
        load_analogies("no-such-set")
    assert "google" in str(err.value) and "msr" in str(err.value)
    with pytest.raises(EmbkitError) as err:
        load_similarity("no-such-set")
    assert "simlex999" in str(err.value) and "ws353" in str(err.value)
    with pytest.raises(EmbkitError, match="no bundled data set"):
        dataset_info("no-such-set")


def test_wrong_kind_is_explained():
    with pytest.raises(EmbkitError, match="similarity data set, not an analogy"):
        load_analogies("ws353")
    with pytest.raises(EmbkitError, match="not a corpus"):
        corpus_path("google")


def test_bundled_corpus():
    path = corpus_path("sotu")
    assert path.name == "sotu.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        first = f.readline()
    assert first.strip()


def test_readme_mentions_every_dataset():
    readme = (resources.files("embkit_data") / "README.md").read_text("utf-8")
    for name in available_datasets():
        assert f"`{name}`" in readme, name


# --------------------------------------------------------------------------- readers

def test_read_analogies_sections_comments_blank_lines(tmp_path):
    p = tmp_path / "q.txt"
    p.write_text("# comment\n\na b c d\n: first\ne f g h\n\n:   second  \ni\tj  k l\n",
                 encoding="utf-8")
    data = read_analogies(p)
    assert [(q.section, q.a, q.d) for q in data.questions] == [
        ("default", "a", "d"), ("first", "e", "h"), ("second", "i", "l")]
    assert data.sections == ["default", "first", "second"]
    assert data.name == str(p)


@pytest.mark.parametrize("bad, lineno", [("a b c\n", 3), ("a b c d e\n", 3), (":\n", 3)])
def test_read_analogies_malformed_line(tmp_path, bad, lineno):
    p = tmp_path / "q.txt"
    p.write_text(": s\nw x y z\n" + bad, encoding="utf-8")
    with pytest.raises(FormatError) as err:
        read_analogies(p)
    assert err.value.lineno == lineno and err.value.path == str(p)
    assert f"line {lineno}" in str(err.value)


def test_read_analogies_without_questions(tmp_path):
    p = tmp_path / "q.txt"
    p.write_text(": only-a-header\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no analogy questions"):
        read_analogies(p)


def test_read_similarity_tab_and_space_identical(fixtures):
    tab = read_similarity(fixtures / "pairs_tab.txt").pairs
    space = read_similarity(fixtures / "pairs_space.txt").pairs
    assert tab == space
    assert tab[0] == ("cat", "dog", 9.0) and len(tab) == 5


def test_read_similarity_comma_file_has_zero_valid_pairs(fixtures):
    with pytest.raises(FormatError) as err:
        read_similarity(fixtures / "pairs_bad.txt")
    assert "0 valid pairs" in str(err.value)
    assert err.value.lineno == 1 and "line 1" in str(err.value)


def test_read_similarity_bad_line_among_good(tmp_path):
    p = tmp_path / "p.tsv"
    p.write_text("# header\na b 1\nc d 2\ne f\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        read_similarity(p)
    assert err.value.lineno == 4 and "0 valid pairs" not in str(err.value)


@pytest.mark.parametrize("score", ["high", "nan", "inf"])
def test_read_similarity_bad_score(tmp_path, score):
    p = tmp_path / "p.tsv"
    p.write_text(f"a b 1\nc d {score}\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        read_similarity(p)
    assert err.value.lineno == 2


def test_read_similarity_empty_and_non_utf8(tmp_path):
    p = tmp_path / "empty.tsv"
    p.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(FormatError, match="0 valid pairs"):
        read_similarity(p)
    p = tmp_path / "latin1.tsv"
    p.write_bytes("caf\xe9 tea 1\n".encode("latin-1"))
    with pytest.raises(FormatError, match="not UTF-8"):
        read_similarity(p)


def test_path_and_in_memory_inputs(fixtures):
    q = load_analogies(fixtures / "questions.txt")
    assert isinstance(q, AnalogyDataset) and len(q) == 7
    assert load_analogies(str(fixtures / "questions.txt")).questions == q.questions
    mem = load_analogies([("a", "b", "c", "d"), ("s", "e", "f", "g", "h")])
    assert [x.section for x in mem.questions] == ["default", "s"]
    with pytest.raises(EmbkitError):
        load_analogies([("a", "b")])
    pairs = load_similarity([("a", "b", "1.5")])
    assert pairs.pairs == [("a", "b", 1.5)]
    with pytest.raises(EmbkitError, match="0 valid pairs"):
        load_similarity([])
    with pytest.raises(EmbkitError, match="finite number"):
        load_similarity([("a", "b", "x")])
