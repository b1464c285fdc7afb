"""Lexicon files: the reader's format, its errors (file and line), compression, the built-in lexicon."""
import bz2
import gzip
import hashlib
import json
from importlib import resources

import numpy as np
import pytest

from embkit.evaluation.datasets import available_datasets, dataset_info, dataset_path
from embkit.exceptions import EmbkitError, FormatError
from embkit.postprocess.lexicon import Lexicon, lexicon_name, load_lexicon, read_lexicon


def write(tmp_path, text, name="lex.txt"):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return p


def entries(lex):
    return [(h, [(n, w) for n, w in nbrs]) for h, nbrs in lex.items()]


def test_format_comments_blank_lines_tabs_crlf_bom(tmp_path):
    p = write(tmp_path, "\ufeff# a comment\r\ncar auto\tautomobile  machine\r\n\r\n   \nhappy glad\n"
                        "lonely\n#tag still a comment\nx #y\n")
    lex = read_lexicon(p)
    assert entries(lex) == [("car", [("auto", 1.0), ("automobile", 1.0), ("machine", 1.0)]),
                            ("happy", [("glad", 1.0)]), ("lonely", []), ("x", [("#y", 1.0)])]
    assert lex.stats == {"lines": 8, "blank": 2, "comments": 2}
    assert lex.linenos.tolist() == [2, 5, 6, 8]
    assert lex.weights is None and lex.name == "lex" and lex.path == str(p)
    assert len(lex) == 4 and lex.n_neighbours == 5


def test_case_and_repeats_are_kept_as_written(tmp_path):
    lex = read_lexicon(write(tmp_path, "Apple company\napple fruit\napple fruit fruit apple\n"))
    assert lex.heads == ["Apple", "apple", "apple"]
    assert lex.neighbours == ["company", "fruit", "fruit", "fruit", "apple"]
    assert lex.offsets.tolist() == [0, 1, 2, 5]


def test_weights(tmp_path):
    lex = read_lexicon(write(tmp_path, "car auto machine:0.5 motor:2e-1\nbus coach:1.0\ntrain\n"))
    assert entries(lex) == [("car", [("auto", 1.0), ("machine", 0.5), ("motor", 0.2)]),
                            ("bus", [("coach", 1.0)]), ("train", [])]
    assert lex.weights.tolist() == [1.0, 0.5, 0.2, 1.0]


def test_colon_words_that_are_not_weights(tmp_path):
    # PPDB lists times such as 19:15; a weight needs a decimal point or an exponent
    lex = read_lexicon(write(tmp_path, "19:15 7:15pm 15:00-18:30 cat:1 re: a:b\n"))
    assert entries(lex) == [("19:15", [("7:15pm", 1.0), ("15:00-18:30", 1.0), ("cat:1", 1.0), ("re:", 1.0),
                                       ("a:b", 1.0)])]
    assert lex.weights is None


@pytest.mark.parametrize("line, message", [
    ("car auto:0.0", "positive finite"),
    ("car auto:-1.5", "positive finite"),
    ("car auto:1e999", "positive finite"),
    ("car :0.5", "weight without a word"),
    ("car:0.5 auto", "head word cannot carry a weight"),
])
def test_bad_weights_name_file_and_line(tmp_path, line, message):
    p = write(tmp_path, f"# header\nbus coach\n{line}\n")
    with pytest.raises(FormatError, match=message) as err:
        read_lexicon(p)
    assert err.value.lineno == 3 and err.value.path == str(p)
    assert f"{p}, line 3:" in str(err.value)


def test_not_utf8_names_the_line(tmp_path):
    p = write(tmp_path, b"car auto\ncaf\xe9 tea\n")
    with pytest.raises(FormatError, match="not UTF-8") as err:
        read_lexicon(p)
    assert err.value.lineno == 2


@pytest.mark.parametrize("text", ["", "\n\n", "# only comments\n# here\n"])
def test_no_entries(tmp_path, text):
    with pytest.raises(FormatError, match="no lexicon entries"):
        read_lexicon(write(tmp_path, text))


def test_compressed_files(tmp_path):
    text = "car auto automobile\nhappy glad\n"
    gz = tmp_path / "lex.txt.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    bz = tmp_path / "lex.bz2"
    bz.write_bytes(bz2.compress(text.encode()))
    magic_only = tmp_path / "lexicon-data"
    magic_only.write_bytes(gzip.compress(text.encode()))
    want = entries(read_lexicon(write(tmp_path, text)))
    for p in (gz, bz, magic_only):
        assert entries(read_lexicon(p)) == want
    assert read_lexicon(gz).name == "lex"


def test_truncated_gzip(tmp_path):
    data = gzip.compress(("car auto automobile\n" * 2000).encode())
    p = tmp_path / "lex.txt.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="cannot decompress: the gzip data ends early"):
        read_lexicon(p)


def test_lexicon_name():
    assert lexicon_name("lexicons/ppdb-xl.txt.gz") == "ppdb-xl"
    assert lexicon_name("framenet.txt") == "framenet"
    assert lexicon_name("my.lexicon") == "my"
    assert lexicon_name("wordnet30-synonyms+.txt.gz") == "wordnet30-synonyms+"
    assert lexicon_name(".txt") == ".txt"


def test_from_mapping():
    lex = Lexicon.from_mapping({"car": ["auto", "automobile"], "bus": {"coach": 2.0}, "train": []})
    assert entries(lex) == [("car", [("auto", 1.0), ("automobile", 1.0)]), ("bus", [("coach", 2.0)]),
                            ("train", [])]
    assert Lexicon.from_mapping({"car": {"auto": 1}}).weights is None
    for bad in ({"car": {"auto": 0}}, {"car": {"auto": "x"}}, {"car": ["two words"]}, {"": ["x"]},
                {"car": [3]}):
        with pytest.raises(EmbkitError):
            Lexicon.from_mapping(bad)


def test_lexicon_checks_its_arrays():
    with pytest.raises(ValueError):
        Lexicon(["a"], ["b"], [0, 2])
    with pytest.raises(ValueError):
        Lexicon(["a"], ["b"], [0, 1], weights=[-1.0])
    assert "entries=1" in repr(Lexicon(["a"], ["b"], [0, 1]))


def test_load_lexicon_forms(tmp_path, monkeypatch):
    p = write(tmp_path, "car auto\n")
    lex = load_lexicon(p)
    assert load_lexicon(lex) is lex
    assert entries(load_lexicon(str(p))) == entries(lex)
    assert entries(load_lexicon({"car": ["auto"]})) == entries(lex)
    # a file named like the built-in lexicon is reached with a path
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "x y\n", name="wordnet")
    assert load_lexicon("./wordnet").heads == ["x"]


# --------------------------------------------------------------------------- built-in lexicon

def test_builtin_wordnet_registry_entry_and_licence():
    assert available_datasets("lexicon") == ["wordnet"]
    info = dataset_info("wordnet")
    path = dataset_path("wordnet")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"]
    assert "WordNet 3.0 licence" in info["licence"]
    notice = (resources.files("embkit_data") / "lexicons" / "WORDNET_LICENSE.txt").read_text("utf-8")
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in notice
    registry = json.loads((resources.files("embkit_data") / "REGISTRY.json").read_text("utf-8"))
    assert [e["name"] for e in registry["datasets"] if e["kind"] == "lexicon"] == ["wordnet"]


def test_builtin_wordnet_loads():
    lex = load_lexicon("wordnet")
    assert lex.name == "wordnet" and len(lex) == dataset_info("wordnet")["items"] == 139870
    assert lex.n_neighbours == 1002236 and lex.weights is None
    i = lex.heads.index("puppy")
    nbrs = lex.neighbours[lex.offsets[i]:lex.offsets[i + 1]]
    assert nbrs == ["canis_familiaris", "dog", "domestic_dog", "pup", "spring_chicken", "whelp", "young_person",
                    "younker", "youth"]
    assert all(h == h.lower() for h in lex.heads[:1000])
    assert np.all(np.diff(lex.offsets) > 0)
