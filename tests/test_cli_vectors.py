"""The ``neighbors``, ``info`` and ``convert`` commands."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from embkit import formats, io
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

FIXTURES = Path(__file__).parent / "fixtures" / "vectors"

# cos(a, e) = 0.8, cos(a, b) = 0.6, cos(a, c) = 0, cos(a, d) = -1, cos(b, e) = 0.96
KEYS = ["a", "b", "c", "d", "e"]
VECS = [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0], [0.8, 0.6]]
META = {
    "model": "sgns",
    "params": {"dim": 2, "window": 5},
    "corpus": {"tokens": 1234, "sentences": 10},
    "training": {"epochs": [{"epoch": 1, "loss_mean": 2.5}, {"epoch": 2, "loss_mean": 1.25}],
                 "seconds": 0.5},
    "embkit_version": "0.1.0",
    "created": "2026-01-02T03:04:05+00:00",
}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embkit: error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def vec_file(tmp_path):
    path = tmp_path / "small.vec"
    io.save(KeyedVectors(KEYS, VECS), path)
    return path


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model.embkit"
    io.save(KeyedVectors(KEYS, VECS, counts=[50, 40, 30, 20, 10], context=np.ones((5, 2)),
                         meta=META), path)
    return path


# -- neighbors -----------------------------------------------------------------

def test_neighbors_text(vec_file):
    result = run("neighbors", vec_file, "a", "c", "--topn", 2)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("a\n"
                             "    1  e  0.8000\n"
                             "    2  b  0.6000\n"
                             "\n"
                             "c\n"
                             "    1  b  0.8000\n"
                             "    2  e  0.6000\n")


def test_neighbors_json(vec_file):
    result = run("neighbors", vec_file, "a", "--json", "--topn", 3)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [n["key"] for n in data[0]["neighbors"]] == ["e", "b", "c"]
    assert data[0]["word"] == "a"
    assert [round(n["similarity"], 6) for n in data[0]["neighbors"]] == [0.8, 0.6, 0.0]


def test_neighbors_default_topn_and_native_input(model_dir):
    result = run("neighbors", model_dir, "a", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)[0]["neighbors"]) == 4      # all but "a"


def test_neighbors_unknown_word(vec_file):
    result = run("neighbors", vec_file, "a", "zebra", "A", "okapi")
    assert_one_line_error(result, "not in the vocabulary of", "small.vec",
                          "matched exactly): 'zebra', 'A' (did you mean 'a'?), 'okapi'")
    # the known word still gets its neighbours
    assert result.stdout == ("a\n"
                             "    1  e  0.8000\n"
                             "    2  b  0.6000\n"
                             "    3  c  0.0000\n"
                             "    4  d  -1.0000\n")
    result = run("neighbors", vec_file, "zebra")
    assert_one_line_error(result, "'zebra'")
    assert result.stdout == ""


def test_neighbors_bad_file_and_usage():
    assert_one_line_error(run("neighbors", FIXTURES / "bad_dim.vec", "alpha"),
                          "bad_dim.vec, line 3: token 'beta': expected 3 values, found 2")
    assert run("neighbors", FIXTURES / "space_token.vec").exit_code == 2      # no WORD
    assert run("neighbors").exit_code == 2
    assert run("neighbors", FIXTURES / "space_token.vec", "is", "--topn", 0).exit_code == 2


def test_neighbors_with_limit():
    result = run("neighbors", FIXTURES / "short.vec", "alpha", "--limit", 3, "--json")
    assert result.exit_code == 0, result.output
    assert [n["key"] for n in json.loads(result.stdout)[0]["neighbors"]] == ["beta", "gamma"]
    assert "read only the first 3" in result.stderr


@pytest.mark.parametrize("command", [("neighbors", "FILE", "alpha"), ("info", "FILE"), ("convert", "FILE", "o.vec"),
                                     ("eval", "similarity", "FILE")])
def test_limit_must_be_positive_everywhere(command):
    args = [FIXTURES / "short.vec" if a == "FILE" else a for a in command]
    result = run(*args, "--limit", 0)
    assert result.exit_code == 2 and "0 is not in the range x>=1" in result.output


# -- info ----------------------------------------------------------------------

def test_info_text(model_dir):
    result = run("info", model_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        f"path: {model_dir}",
        "format: native",
        "words: 5",
        "dim: 2",
        "counts: yes (total 150)",
        "context vectors: yes",
        "embkit version: 0.1.0",
        "created: 2026-01-02T03:04:05+00:00",
    ]
    assert "params:" in lines and "  window: 5" in lines
    assert "corpus:" in lines and "  tokens: 1234" in lines
    assert "    - epoch=1, loss_mean=2.5" in lines and "    - epoch=2, loss_mean=1.25" in lines


def test_info_json(model_dir):
    result = run("info", model_dir, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("format", "words", "dim", "has_counts", "total_count",
                                 "has_context", "embkit_version", "created")} == {
        "format": "native", "words": 5, "dim": 2, "has_counts": True, "total_count": 150,
        "has_context": True, "embkit_version": "0.1.0", "created": "2026-01-02T03:04:05+00:00"}
    assert data["meta"]["training"]["epochs"][1]["loss_mean"] == 1.25
    assert data["meta"]["params"] == {"dim": 2, "window": 5}


def test_info_finds_the_newest_model_in_the_current_directory(model_dir, monkeypatch):
    monkeypatch.chdir(model_dir.parent)
    result = run("info", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["words"] == 5
    assert "using model model.embkit" in result.stderr


def test_info_without_a_model_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("info").exit_code == 2


def test_info_word2vec_file_and_strictness(vec_file):
    result = run("info", vec_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:6] == ["format: word2vec", "words: 5", "dim: 2",
                                               "counts: no", "context vectors: no"]
    short = FIXTURES / "short.vec"
    assert_one_line_error(run("info", short), f"{short}: header declares 4 vectors but the "
                                              f"file has 3")
    result = run("info", short, "--limit", 3, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["words"] == 3
    assert_one_line_error(run("info", FIXTURES / "nan.vec"),
                          "nan.vec, line 3: token 'bad' has a non-finite value (nan)")
    assert_one_line_error(run("info", FIXTURES / "long.vec"), "long.vec, line 4: rows continue")


def test_info_missing_file(tmp_path):
    assert_one_line_error(run("info", tmp_path / "nope.vec"), "nope.vec")


# -- convert -------------------------------------------------------------------

def test_convert_chain_preserves_vectors(vec_file, tmp_path):
    original = io.load(vec_file)
    steps = [(vec_file, tmp_path / "v.bin", "word2vec-bin"),
             (tmp_path / "v.bin", tmp_path / "v.embkit", "native"),
             (tmp_path / "v.embkit", tmp_path / "back.vec.gz", "word2vec")]
    for src, out, fmt in steps:
        result = run("convert", src, out)
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and result.stderr == f"wrote {out}: 5 words, dim 2, format {fmt}\n"
        assert formats.detect_format(out) == fmt
    back = io.load(tmp_path / "back.vec.gz")
    assert back.index_to_key == KEYS and np.array_equal(back.vectors, original.vectors)


def test_convert_native_keeps_counts_context_and_meta(model_dir, tmp_path):
    result = run("convert", model_dir, tmp_path / "copy")
    assert result.exit_code == 0, result.output
    copy = io.load(tmp_path / "copy")
    assert copy.counts.tolist() == [50, 40, 30, 20, 10]
    assert copy.context.shape == (5, 2) and copy.meta["params"] == META["params"]
    assert copy.meta["created"] == META["created"]


def test_convert_single_argument_uses_the_newest_model(model_dir, monkeypatch):
    monkeypatch.chdir(model_dir.parent)
    result = run("convert", "out.vec")
    assert result.exit_code == 0, result.output
    assert io.load(model_dir.parent / "out.vec").index_to_key == KEYS


def test_convert_to_overrides_the_name_and_limit(vec_file, tmp_path):
    result = run("convert", vec_file, tmp_path / "out.data", "--to", "word2vec-bin", "--limit", 2)
    assert result.exit_code == 0, result.output
    back = io.load(tmp_path / "out.data", format="word2vec-bin")
    assert back.index_to_key == ["a", "b"]


def test_convert_errors(vec_file, tmp_path):
    assert_one_line_error(run("convert", FIXTURES / "space_token.vec", tmp_path / "x.bin"),
                          "cannot write token 'new york'")
    assert not (tmp_path / "x.bin").exists()
    assert_one_line_error(run("convert", FIXTURES / "short.vec", tmp_path / "x.vec"),
                          "header declares 4 vectors but the file has 3")
    assert run("convert", vec_file, tmp_path / "x.unknown").exit_code == 2
    assert run("convert", vec_file, tmp_path / "x.vec", "extra").exit_code == 2
    assert run("convert").exit_code == 2
    assert run("convert", vec_file, tmp_path / "y.vec", "--to", "glove").exit_code == 2


def test_convert_space_token_to_text_round_trips(tmp_path):
    src = tmp_path / "space_token.vec"
    shutil.copy(FIXTURES / "space_token.vec", src)
    result = run("convert", src, tmp_path / "out.vec")
    assert result.exit_code == 0, result.output
    assert io.load(tmp_path / "out.vec").index_to_key == ["hello", "new york", "is"]


def test_help_shows_defaults():
    result = run("neighbors", "--help")
    assert result.exit_code == 0 and "default: 10" in result.stdout
    result = run("convert", "--help")
    assert "[VECS] OUT" in result.stdout and "from OUT's name" in result.stdout


def test_convert_never_writes_onto_its_input(tmp_path):
    src = tmp_path / "m.vec"
    src.write_text((FIXTURES / "short.vec").read_text())
    before = src.read_text()
    link = tmp_path / "link.vec"
    link.symlink_to(src)
    for args in (["convert", src, src, "--limit", 2], ["convert", link, src, "--limit", 2],
                 ["convert", src, link]):
        result = run(*args)
        assert_one_line_error(result, "is also an input")
    assert src.read_text() == before


def test_unicode_errors_option_reads_bad_tokens(tmp_path):
    path = tmp_path / "bad.vec"
    path.write_bytes(b"2 2\nca\xfffe 1 2\nthe 3 4\n")
    assert_one_line_error(run("info", path), "bad.vec, line 2", "not valid UTF-8", "--unicode-errors replace")
    result = run("neighbors", path, "the", "--unicode-errors", "replace", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["neighbors"][0]["key"] == "ca\ufffdfe"
    result = run("eval", "similarity", path, "--unicode-errors", "replace", "--json")
    assert result.exit_code == 0


def test_info_says_when_text_has_no_header(tmp_path):
    glove = tmp_path / "g.txt"
    glove.write_text("the 0.5 -1\nof 2 0.25\n")
    result = run("info", glove)
    assert result.exit_code == 0 and "format: word2vec (text without a header line, as GloVe writes)" in result.stdout
    result = run("info", FIXTURES / "short.vec", "--limit", 3)
    assert "format: word2vec\n" in result.stdout


# -- neighbors: vector arithmetic, optional VECS, case ---------------------------

ANALOGY_VEC = Path(__file__).parent / "fixtures" / "eval" / "analogy.vec"


def test_neighbors_of_vector_arithmetic():
    # unit(king) - unit(man) + unit(woman) is queen's direction; the others are orthogonal
    result = run("neighbors", ANALOGY_VEC, "--positive", "king,woman", "--negative", "man", "--topn", 3)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("king + woman - man\n"
                             "    1  queen   1.0000\n"
                             "    2  paris   0.0000\n"
                             "    3  france  0.0000\n")
    repeated = run("neighbors", ANALOGY_VEC, "--positive", "king", "--positive", "woman",
                   "--negative", "man", "--topn", 3)
    assert repeated.stdout == result.stdout
    result = run("neighbors", ANALOGY_VEC, "--negative", "apple", "--topn", 1, "--json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)
    assert entry["positive"] == [] and entry["negative"] == ["apple"]
    # -apple: rome and italy score -1/sqrt(2), the other words 0 (row order)
    assert entry["neighbors"][0]["key"] == "man" and entry["neighbors"][0]["similarity"] == 0.0


def test_neighbors_arithmetic_errors():
    result = run("neighbors", ANALOGY_VEC, "--positive", "king,xyzzy", "--negative", "Man")
    assert_one_line_error(result, "'xyzzy', 'Man' (did you mean 'man'?)", "--case-insensitive")
    assert result.stdout == ""
    assert run("neighbors", ANALOGY_VEC, "king", "--positive", "woman").exit_code == 2
    result = run("neighbors", "king", "--negative", "man")       # a word where VECS goes
    assert result.exit_code == 2 and "put the words in --positive" in result.output


def test_neighbors_prints_known_words_and_reports_unknown_ones():
    result = run("neighbors", ANALOGY_VEC, "man", "xyzzy", "--topn", 2)
    assert result.exit_code == 1
    assert result.stdout == "man\n    1  woman  0.5000\n    2  king   0.5000\n"
    assert result.stderr.strip().splitlines() == [
        f"embkit: error: not in the vocabulary of {ANALOGY_VEC} (9 words; words are matched "
        "exactly): 'xyzzy'"]
    result = run("neighbors", ANALOGY_VEC, "man", "xyzzy", "--json")
    assert result.exit_code == 1 and [e["word"] for e in json.loads(result.stdout)] == ["man"]


def test_neighbors_without_vecs_uses_the_newest_model(model_dir, monkeypatch):
    monkeypatch.chdir(model_dir.parent)
    result = run("neighbors", "a", "--topn", 1)
    assert result.exit_code == 0, result.output
    assert result.stdout == "a\n    1  e  0.8000\n" and "using model model.embkit" in result.stderr
    result = run("neighbors", "--positive", "a", "--topn", 1)
    assert result.stdout == "a\n    1  e  0.8000\n"
    result = run("neighbors", "model.embkit", "a", "--topn", 1)      # an existing path is VECS
    assert result.stdout == "a\n    1  e  0.8000\n"
    assert_one_line_error(run("neighbors", "typo.vec", "a"), "typo.vec")   # a vectors name is VECS


@pytest.fixture
def cased_model(tmp_path):
    # King is more frequent than king, so KING stands for King
    path = tmp_path / "cased.embkit"
    keys = ["king", "King", "queen", "man", "woman"]
    vecs = [[1, 0, 0, 1], [1, 0, 0, 1.2], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 1, 0]]
    io.save(KeyedVectors(keys, vecs, counts=[5, 9, 4, 8, 7]), path)
    return path


def test_neighbors_case_insensitive(cased_model):
    assert_one_line_error(run("neighbors", cased_model, "KING"), "'KING' (did you mean 'king'?)")
    result = run("neighbors", cased_model, "KING", "--case-insensitive", "--json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)
    assert entry["word"] == "KING" and entry["key"] == "King"
    assert [n["key"] for n in entry["neighbors"]] == ["queen", "man", "woman"]    # king left out
    result = run("neighbors", cased_model, "KING", "--case-insensitive", "--topn", 1)
    assert result.stdout.splitlines()[0] == "KING (King)"
    assert_one_line_error(run("neighbors", cased_model, "Kong", "--case-insensitive"),
                          "words are matched ignoring case): 'Kong'")


# -- analogy ---------------------------------------------------------------------

def test_analogy_text_and_json():
    result = run("analogy", ANALOGY_VEC, "man", "king", "woman", "--topn", 2)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("man : king :: woman : ?\n"
                             "    1  queen  1.0000\n"
                             "    2  paris  0.0000\n")
    # 3CosMul for queen: cos' = 0.75 with king and woman, 0.5 with man; epsilon 0.001
    result = run("analogy", ANALOGY_VEC, "man", "king", "woman", "--method", "3cosmul", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["a"], data["b"], data["c"], data["method"]) == ("man", "king", "woman", "3cosmul")
    assert len(data["answers"]) == 6 and data["answers"][0]["key"] == "queen"
    assert data["answers"][0]["score"] == pytest.approx(0.5625 / 0.501, rel=1e-6)
    assert {a["key"] for a in data["answers"]}.isdisjoint({"man", "king", "woman"})


def test_analogy_agrees_with_the_evaluation():
    # paris : france :: rome : italy is answered right in `eval analogies`
    result = run("analogy", ANALOGY_VEC, "paris", "france", "rome", "--topn", 1)
    assert result.stdout.splitlines()[1].split()[1] == "italy"


def test_analogy_errors_and_usage():
    result = run("analogy", ANALOGY_VEC, "MAN", "king", "xyzzy")
    assert_one_line_error(result, "'MAN' (did you mean 'man'?), 'xyzzy'")
    assert result.stdout == ""
    result = run("analogy", ANALOGY_VEC, "MAN", "KING", "Woman", "--case-insensitive", "--topn", 1)
    assert result.exit_code == 0 and result.stdout.splitlines()[1].split()[1] == "queen"
    result = run("analogy", ANALOGY_VEC, "man", "king")        # VECS and two words: not a lookup of the path
    assert result.exit_code == 2 and "names vectors: give the three words A B C after it" in result.output
    assert run("analogy", ANALOGY_VEC, "man", "king", "woman", "queen").exit_code == 2
    assert run("analogy").exit_code == 2
    assert run("analogy", ANALOGY_VEC, "man", "king", "woman", "--method", "cos").exit_code == 2
    result = run("analogy", "--help")
    assert result.exit_code == 0 and "default: 3cosadd" in result.stdout and "[VECS] A B C" in result.stdout


def test_analogy_without_vecs_uses_the_newest_model(cased_model, monkeypatch):
    monkeypatch.chdir(cased_model.parent)
    result = run("analogy", "man", "king", "woman", "--topn", 1)
    assert result.exit_code == 0, result.output
    assert result.stdout == "man : king :: woman : ?\n    1  queen  1.0000\n"
    assert "using model cased.embkit" in result.stderr
