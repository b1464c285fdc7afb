"""``embkit retrofit``: case B27 on the command line, default input and output, report, errors."""
import gzip
import json
import os

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

import embkit
from embkit_cli.main import cli

RETRO = FIXTURES / "retrofit"
B27_VEC = RETRO / "b27_in.vec"
B27_LEX = RETRO / "b27_lexicon.txt"
WORDNET = RETRO / "wordnet"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def error_line(res):
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("embkit: error: ")
    return lines[0]


def test_b27_on_the_command_line(tmp_path):
    """Case B27's command: four keys, case kept, each with its own neighbour."""
    out = tmp_path / "out.vec"
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--iterations", 10, "--graph", "directed", "-o", out)
    assert res.exit_code == 0, res.output
    assert res.stdout == ""                                   # the report goes to stderr
    assert "4 in the vectors" in res.stderr and "2 retrofitted" in res.stderr
    assert f"wrote {out}" in res.stderr
    kv = embkit.load(out)
    assert kv.index_to_key == ["apple", "Apple", "fruit", "company"]
    np.testing.assert_allclose(kv.vectors, [[0.8, 0.4], [0.4, 0.2], [0.6, 0.8], [0.8, -0.6]], atol=1e-6)


def test_b27_case_fold_reports_words_matching_several_keys(tmp_path):
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--case", "fold", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "case folding: 1 lexicon words matched several keys (keys stay distinct)" in res.stdout
    assert "1 repeated heads merged" in res.stdout


def test_default_output_and_counts_kept(tmp_path, monkeypatch):
    kv = embkit.load(B27_VEC)
    kv.counts = np.array([4, 3, 2, 1])
    kv.save(tmp_path / "fruit.embkit")
    monkeypatch.chdir(tmp_path)
    res = run("retrofit", "--lexicon", B27_LEX)                 # VECS: the newest model here
    assert res.exit_code == 0, res.output
    assert "using model fruit.embkit" in res.stderr
    out = embkit.load(tmp_path / "fruit.retrofit-b27_lexicon.embkit")
    assert out.counts.tolist() == [4, 3, 2, 1]
    meta = out.meta["retrofit"]
    assert meta["lexicon"] == "b27_lexicon" and meta["settings"]["graph"] == "directed"
    assert meta["lexicon_path"] == str(B27_LEX)
    np.testing.assert_allclose(out["Apple"], [0.4, 0.2], atol=1e-6)
    # once more: the newest model is now the retrofitted one, and a warning says it is retrofitted again
    res = run("retrofit", "--lexicon", B27_LEX)
    assert res.exit_code == 0 and "already retrofitted with b27_lexicon" in res.stderr
    assert (tmp_path / "fruit.retrofit-b27_lexicon.retrofit-b27_lexicon.embkit").is_dir()


def test_dry_run_writes_nothing_and_prints_the_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--dry-run")
    assert res.exit_code == 0, res.output
    assert os.listdir(tmp_path) == []
    lines = res.stdout.splitlines()
    assert lines[0] == ("retrofit with b27_lexicon: directed graph, case exact, alpha 1, beta inverse-degree, "
                        "10 iterations, unit-length inputs")
    assert "edges: 2 read, 2 used; dropped: 0 self-loops, 0 duplicates" in res.stdout
    assert lines[-1] == "dry run: nothing written (would write b27_in.retrofit-b27_lexicon.embkit)"


def test_json_report(tmp_path):
    lex = tmp_path / "lex.txt.gz"
    lex.write_bytes(gzip.compress(b"apple fruit fruit apple zzz\nApple company\nyyy apple\ncompany\n"))
    res = run("retrofit", B27_VEC, "--lexicon", lex, "--json", "-o", tmp_path / "o.embkit", "--beta", "0.5",
              "--alpha", "2", "--graph", "symmetric", "--no-normalize", "--iterations", "3")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["input"] == str(B27_VEC) and r["output"] == str(tmp_path / "o.embkit") and not r["dry_run"]
    assert r["lexicon"] == "lex"
    assert r["settings"] == {"iterations": 3, "alpha": 2.0, "beta": 0.5, "graph": "symmetric", "case": "exact",
                             "normalize": False, "center": False, "min_similarity": None}
    rep = r["report"]
    assert rep["edges"]["dropped"] == {"self_loop": 1, "duplicate": 1, "head_not_in_vectors": 1,
                                       "neighbour_not_in_vectors": 1, "dissimilar": 0}
    assert rep["edges"]["used"] == 2 and rep["edges"]["graph"] == 4 and rep["edges"]["reverse_added"] == 2
    assert rep["entries"]["empty"] == 1 and len(rep["movement"]) == 3
    assert (tmp_path / "o.embkit" / "meta.json").is_file()


def test_presets_and_explicit_options(tmp_path):
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--preset", "rare-words", "--dry-run", "--json")
    assert res.exit_code == 0, res.output
    settings = json.loads(res.stdout)["settings"]
    assert (settings["alpha"], settings["center"], settings["min_similarity"]) == (2.25, True, 0.35)
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--preset", "rare-words", "--alpha", "1", "--no-center",
              "--min-similarity", "0.9", "--dry-run")
    assert res.exit_code == 0, res.output
    assert ("alpha 1, beta inverse-degree, 10 iterations, unit-length inputs, edges with input cosine > 0.9"
            in res.stdout)
    assert "2 dissimilar in the input" in res.stdout            # cos(apple, fruit) = 0.6, cos(Apple, company) = -0.6
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "--center", "--dry-run")
    assert "unit-length, centred inputs" in res.stdout


def test_quiet_silences_the_report(tmp_path):
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "-o", tmp_path / "o.vec", "-q")
    assert res.exit_code == 0 and res.stdout == "" and res.stderr == ""


def test_wordnet_dir_and_relations(tmp_path):
    vec = tmp_path / "v.vec"
    vec.write_text("3 2\ndog 1 0\nbeast 0 1\nwet 1 1\n", encoding="utf-8")
    res = run("retrofit", vec, "--wordnet-dir", WORDNET, "--relations", "hypernym,hyponym", "--dry-run", "--json",
              "--iterations", "1", "--no-normalize")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["lexicon"] == "wordnet" and r["output"] is None and r["dry_run"]
    assert r["report"]["words"]["retrofitted"] == 2              # dog -> beast and beast -> dog
    res = run("retrofit", vec, "--wordnet-dir", WORDNET, "-o", tmp_path / "o.vec", "--iterations", "1",
              "--no-normalize")
    assert res.exit_code == 0, res.output
    np.testing.assert_allclose(embkit.load(tmp_path / "o.vec")["dog"], [0.5, 0.5])


@pytest.mark.parametrize("args, message", [
    (["--relations", "synonym"], "--relations is only valid with --wordnet-dir"),
    (["--wordnet-dir", WORDNET, "--relations", "synonym,antonym"], "antonym"),
    (["--wordnet-dir", WORDNET, "--lexicon", B27_LEX], "--wordnet-dir builds the wordnet lexicon"),
    (["--beta", "degree"], "neither inverse-degree nor a number"),
    (["--beta", "0"], "finite number > 0"),
    (["--beta", "nan"], "finite number > 0"),
    (["--alpha", "-1"], "--alpha"),
    (["--iterations", "-1"], "--iterations"),
    (["--graph", "both"], "--graph"),
    (["--case", "lower"], "--case"),
    (["-o", ""], "give a file or directory name"),
    (["--min-similarity", "1.5"], "--min-similarity"),
    (["--preset", "strong"], "--preset"),
])
def test_usage_errors_exit_2(args, message):
    base = [] if "--wordnet-dir" in args else ["--lexicon", B27_LEX]
    res = run("retrofit", B27_VEC, *base, *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr


def test_no_lexicon_is_a_usage_error():
    res = run("retrofit", B27_VEC)
    assert res.exit_code == 2 and "--lexicon wordnet" in res.stderr


def test_no_vecs_and_no_model_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("retrofit", "--lexicon", "wordnet")
    assert res.exit_code == 2 and "no VECS given" in res.stderr


def test_input_errors_are_one_line_exit_1(tmp_path):
    res = run("retrofit", B27_VEC, "--lexicon", tmp_path / "missing.txt")
    assert res.exit_code == 1 and "neither a built-in lexicon" in error_line(res)
    bad = tmp_path / "bad.txt"
    bad.write_text("apple fruit\nApple company:0.0\n", encoding="utf-8")
    res = run("retrofit", B27_VEC, "--lexicon", bad, "-o", tmp_path / "o.vec")
    assert res.exit_code == 1
    assert f"{bad}, line 2: the weight of 'company:0.0' must be" in error_line(res)
    assert not (tmp_path / "o.vec").exists()
    res = run("retrofit", tmp_path / "missing.vec", "--lexicon", B27_LEX)
    assert res.exit_code == 1 and "missing.vec" in error_line(res)


def test_output_problems_are_found_before_the_work(tmp_path):
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "-o", B27_VEC)
    assert res.exit_code == 1 and "b27_in.vec" in error_line(res)
    res = run("retrofit", B27_VEC, "--lexicon", B27_LEX, "-o", tmp_path / "o.unknown")
    assert res.exit_code == 1 and "cannot tell the output format" in error_line(res)


@pytest.mark.slow
def test_train_then_retrofit_wordnet_then_eval_in_one_folder(tmp_path, monkeypatch):
    """The promised sequence, literally: embkit train corpus.txt; embkit retrofit --lexicon wordnet; embkit eval."""
    with gzip.open(FIXTURES.parent.parent / "data" / "corpora" / "sotu.txt.gz", "rt", encoding="utf-8") as f:
        lines = [next(f).lower() for _ in range(800)]
    (tmp_path / "corpus.txt").write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = run("train", "corpus.txt", "--quiet")
    assert res.exit_code == 0, res.output
    res = run("retrofit", "--lexicon", "wordnet")
    assert res.exit_code == 0, res.output
    assert "using model corpus.embkit" in res.stderr and "wrote corpus.retrofit-wordnet.embkit" in res.stderr
    res = run("eval", "similarity")
    assert res.exit_code == 0, res.output
    assert "using model corpus.retrofit-wordnet.embkit" in res.stderr
    assert res.stdout.splitlines()[0].startswith("dataset")
    before, after = embkit.load("corpus.embkit"), embkit.load("corpus.retrofit-wordnet.embkit")
    assert before.index_to_key == after.index_to_key and after.counts.tolist() == before.counts.tolist()
    assert after.meta["retrofit"]["report"]["words"]["retrofitted"] > 100
