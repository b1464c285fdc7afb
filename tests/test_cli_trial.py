"""Command-line edge cases: missing output directories, paths with newlines in status lines, unknown words in
`shift`, a directory named like a vectors file, and reused alignment models."""
import pytest
from click.testing import CliRunner

from embkit import io
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

KEYS = ["a", "b", "c", "d", "e"]
VECS = [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0], [0.8, 0.6]]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embkit: error: "), result.stderr
    return lines[0]


@pytest.fixture
def vec_file(tmp_path):
    path = tmp_path / "ok.vec"
    io.save(KeyedVectors(KEYS, VECS), path)
    return path


def test_convert_refuses_a_missing_output_directory(tmp_path, vec_file):
    message = one_line_error(run("convert", vec_file, tmp_path / "nonexistent" / "d" / "x.vec"))
    assert f"directory {tmp_path / 'nonexistent'} does not exist" in message
    assert not (tmp_path / "nonexistent").exists()


# -- paths holding a newline are escaped in status lines, as in errors -------------------------------------------

CORPUS = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 20
TRAIN = ["--min-count", "1", "--epochs", "1", "--dim", "4", "--threads", "1", "--sample", "0"]


def test_info_shows_a_path_with_a_newline_escaped(tmp_path, vec_file):
    odd = tmp_path / "new\nline.vec"
    odd.write_bytes(vec_file.read_bytes())
    result = run("info", odd)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"path: {str(odd)!r}"
    assert result.stdout.splitlines()[1] == "format: word2vec"


def test_convert_status_line_escapes_the_output(tmp_path, vec_file):
    odd = tmp_path / "out\nx.vec"
    result = run("convert", vec_file, odd)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {str(odd)!r}: 5 words, dim 2, format word2vec\n"
    assert odd.exists()


def test_train_and_vocab_status_lines_escape_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = "c\nx.txt"
    (tmp_path / corpus).write_text(CORPUS)
    result = run("train", "c\nx.txt", *TRAIN)                        # default output: c\nx.embkit
    assert result.exit_code == 0, result.output
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == 1 and wrote[0].startswith("wrote 'c\\nx.embkit': 9 words x 4, ")
    result = run("train", "c\nx.txt", *TRAIN)                        # replacing it names the corpus trained on
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and warning[0].startswith("warning: 'c\\nx.embkit' exists and will be replaced")
    assert f"trained on {str(tmp_path / corpus)!r})" in warning[0]
    result = run("vocab", "c\nx.txt", "--min-count", "1", "-o", "v\nx.tsv")
    assert result.exit_code == 0, result.output
    assert result.stderr == "wrote 'v\\nx.tsv': 9 words, 340 tokens in the vocabulary\n"


def test_using_model_line_escapes_the_model_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    io.save(KeyedVectors(KEYS, VECS), tmp_path / "m\nx.embkit")
    result = run("info")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"using model {'m' + chr(10) + 'x.embkit'!r}\n"
    assert result.stdout.splitlines()[0] == "path: 'm\\nx.embkit'"


# -- shift --words: known words first, then the unknown ones on one line --------------------------------------

@pytest.fixture(scope="module")
def aligned_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("aligned")
    (root / "a.txt").write_text("the cat sat on the mat\nthe dog sat on the log union\n" * 20)
    (root / "b.txt").write_text("a cat and a dog union state\n" * 20)
    result = run("-q", "align", root / "a.txt", root / "b.txt", "--min-count", "1", "--dim", "4", "--epochs", "1",
                 "--threads", "1", "-o", root / "al")
    assert result.exit_code == 0, result.output
    return root / "al"


def test_shift_reports_known_words_then_the_unknown_ones(aligned_dir):
    result = run("shift", aligned_dir, "--min-count", "1", "--words", "union,zzzz,state,dog")
    message = one_line_error(result)
    assert message == (f"embkit: error: {aligned_dir}: not in slice 'a' (8 words): 'zzzz', 'state'; "
                       "not in slice 'b' (6 words): 'zzzz'")
    rows = [line.split()[1] for line in result.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert rows == ["union", "dog"]


def test_shift_json_keeps_the_known_words_and_fails_on_only_unknown_ones(aligned_dir):
    import json

    result = run("shift", aligned_dir, "--min-count", "1", "--words", "zzzz,union", "--json")
    one_line_error(result)
    assert [r["word"] for r in json.loads(result.stdout)["pairs"][0]["words"]] == ["union"]
    result = run("shift", aligned_dir, "--min-count", "1", "--words", "zzzz")
    assert one_line_error(result).endswith("words): 'zzzz'") and result.stdout == ""


def test_shift_words_below_min_count_are_shown_with_a_note(aligned_dir):
    result = run("shift", aligned_dir, "--min-count", "15", "--words", "union,cat")     # union: 20 and 20, cat: 20
    assert result.exit_code == 0, result.output
    assert "shown as asked" not in result.stdout
    result = run("shift", aligned_dir, "--min-count", "30", "--words", "union,cat")
    assert result.exit_code == 0 and "shown as asked, though seen fewer than 30 times in a slice: union, cat" \
        in result.stdout
    import json
    rows = json.loads(run("shift", aligned_dir, "--min-count", "30", "--words", "union", "--json").stdout)
    assert rows["pairs"][0]["words"][0]["below_min_count"] is True


def test_shift_plot_with_an_empty_prefix_is_a_usage_error(aligned_dir):
    result = run("shift", aligned_dir, "--plot", "")
    assert result.exit_code == 2 and "give a file name prefix" in result.stderr and result.stdout == ""


def test_shift_with_an_empty_word_list_is_a_usage_error(aligned_dir):
    for words in ("", " , "):
        result = run("shift", aligned_dir, "--words", words)
        assert result.exit_code == 2 and "give at least one word" in result.stderr and result.stdout == ""


# -- a directory named like a vectors file ---------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", [("adir.vec", "word2vec"), ("adir.bin.gz", "word2vec-bin")])
def test_a_directory_named_like_a_vectors_file_is_called_a_directory(tmp_path, name, fmt):
    from embkit.exceptions import IsDirectoryError

    (tmp_path / name).mkdir()
    expected = (f"{tmp_path / name} is a directory, not a {fmt} vectors file (a native embkit model directory "
                "would hold meta.json; this one does not)")
    with pytest.raises(IsDirectoryError) as info:
        io.load(tmp_path / name)
    assert str(info.value) == expected and isinstance(info.value, IsADirectoryError)
    assert one_line_error(run("info", tmp_path / name)) == f"embkit: error: {expected}"


def test_a_native_model_named_like_a_vectors_file_still_loads(tmp_path):
    io.save(KeyedVectors(KEYS, VECS), tmp_path / "odd.embkit")
    (tmp_path / "odd.embkit").rename(tmp_path / "odd.vec")        # renamed by hand: still a model
    assert io.load(tmp_path / "odd.vec").index_to_key == KEYS


# -- align --skip-existing records what reused models were trained with --------------------------------------

def test_skip_existing_warns_and_records_the_settings_models_were_trained_with(tmp_path):
    import json

    (tmp_path / "a.txt").write_text("the cat sat on the mat\nthe dog sat on the log union\n" * 20)
    (tmp_path / "b.txt").write_text("a cat and a dog union state\n" * 20)
    common = [tmp_path / "a.txt", tmp_path / "b.txt", "--min-count", "1", "--dim", "4", "--threads", "1",
              "-o", tmp_path / "al"]
    assert run("-q", "align", *common, "--epochs", "1").exit_code == 0
    result = run("align", *common, "--epochs", "7", "--window", "10", "--skip-existing")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: reusing {tmp_path / 'al' / f}, trained with other settings than given: "
                        "window 5 (given 10), epochs 1 (given 7); manifest.json records the ones it was trained with"
                        for f in ("compass.embkit", "a.embkit", "b.embkit")]
    manifest = json.loads((tmp_path / "al" / "manifest.json").read_text())
    meta = json.loads((tmp_path / "al" / "compass.embkit" / "meta.json").read_text())
    assert meta["params"]["window"] == 5 and meta["params"]["epochs"] == 1
    for settings in [manifest["compass"]["settings"]] + [e["settings"] for e in manifest["slices"]]:
        assert (settings["window"], settings["epochs"]) == (5, 1)
    run_settings = manifest["settings"]
    assert (run_settings["window"], run_settings["epochs"]) == (5, 1)
    assert (run_settings["compass_epochs"], run_settings["slice_epochs"]) == (1, 1)
    # the same options again: reused without a warning
    result = run("align", *common, "--epochs", "1", "--skip-existing")
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_shift_figure_names_from_words_stay_inside_the_prefix_folder():
    """A word is any token: '/' or a leading '..' must not make a directory or climb out, a long one must fit."""
    from embkit_cli.commands_align import _file_part, _plot_paths

    assert _file_part("union") == "union" and _file_part("日本") == "日本" and _file_part("new_york") == "new_york"
    for word in ("a/b", "..", "../x", ".hidden", "a b", "x" * 300, "a\\b"):
        part = _file_part(word)
        assert "/" not in part and "\\" not in part and not part.startswith(".") and len(part.encode()) <= 100
    assert _file_part("a/b") != _file_part("a_b")                  # the hash keeps distinct words apart
    assert _plot_paths("figs/", [("a", "b")], ["w"]) == {("a", "b"): "figs/a-b.png", "w": "figs/w.png"}
    # the word 'a-b' would overwrite the a -> b figure: it gets a hash
    clash = _plot_paths("figs/", [("a", "b")], ["a-b"])
    assert clash[("a", "b")] == "figs/a-b.png" and clash["a-b"].startswith("figs/a-b-")
    assert len(set(clash.values())) == 2
    assert _plot_paths("fig.pdf", [("a", "b")], ["w"]) == {("a", "b"): "fig-a-b.pdf", "w": "fig-w.pdf"}
    assert _plot_paths(".svg", [("a", "b")], []) == {("a", "b"): "a-b.svg"}
    # two pairs whose names join alike (slices 'beth', 'lehem-judah', 'beth-lehem', 'judah')
    pairs = _plot_paths("g", [("beth", "lehem-judah"), ("beth-lehem", "judah")], [])
    assert pairs[("beth", "lehem-judah")] == "g-beth-lehem-judah.png" and len(set(pairs.values())) == 2
    import click
    with pytest.raises(click.BadParameter, match="figures are .png, .pdf or .svg, not .jpg"):
        _plot_paths("x.jpg", [("a", "b")], [])
    paths = _plot_paths("figs/p", [("a", "b")], ["../x"])
    assert paths[("a", "b")] == "figs/p-a-b.png" and paths["../x"].startswith("figs/p-__x-")
