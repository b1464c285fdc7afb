"""``embkit eval``: tables, JSON and exit codes."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from embkit_cli.main import cli

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
ANALOGY_VEC = str(FIXTURES / "analogy.vec")
SIM_VEC = str(FIXTURES / "sim.vec")
QUESTIONS = str(FIXTURES / "questions.txt")
PAIRS = str(FIXTURES / "pairs_tab.txt")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_json(*args):
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def error_line(res):
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("embkit: error: ")
    return lines[0]


# --------------------------------------------------------------------------- analogies

def test_analogies_table():
    res = run("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("analogies: ") and "3cosadd" in lines[0]
    cap = next(line for line in lines if "capital-common-countries" in line)
    assert "50.0% (1/2)" in cap and cap.rstrip().endswith("1")
    assert "100.0% (3/3)" in next(line for line in lines if "family" in line)
    assert "80.0% (4/5)" in next(line for line in lines if line.strip().startswith("total"))
    assert "coverage: 71.4% (5/7)" in res.stdout
    assert "57.1% (4/7)" in res.stdout


def test_analogies_restrict_vocab_prints_na():
    res = run("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS, "--restrict-vocab", 6)
    assert res.exit_code == 0, res.output
    cap = next(line for line in res.stdout.splitlines() if "capital-common-countries" in line)
    assert "n/a (0/0)" in cap
    assert "nan" not in res.stdout.lower()
    assert "100.0% (3/3)" in next(line for line in res.stdout.splitlines()
                                  if line.strip().startswith("total"))


def test_analogies_json():
    r = run_json("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS, "--restrict-vocab", "6")
    assert r["accuracy"] == 1.0 and r["coverage"] == pytest.approx(3 / 7)
    assert r["sections"][0] == {"name": "capital-common-countries", "correct": 0, "answered": 0,
                                "skipped": 3, "total": 3, "accuracy": None}
    r = run_json("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS, "--case-sensitive")
    assert (r["correct"], r["answered"], r["accuracy"]) == (3, 4, 0.75)
    r = run_json("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS, "--method", "3cosmul")
    assert (r["method"], r["correct"], r["answered"]) == ("3cosmul", 4, 5)


def test_analogies_limit_loads_first_rows():
    r = run_json("eval", "analogies", ANALOGY_VEC, "--dataset", QUESTIONS, "--limit", 6)
    assert (r["correct"], r["answered"]) == (3, 3)
    assert r["sections"][0]["accuracy"] is None


def test_analogies_bundled_dataset_by_name():
    r = run_json("eval", "analogies", ANALOGY_VEC, "--dataset", "msr")
    assert r["dataset"] == "msr" and r["total"] == 8000 and len(r["sections"]) == 16


def test_analogies_malformed_file_exit_1(tmp_path):
    p = tmp_path / "q.txt"
    p.write_text(": family\nman woman king queen\nman,woman,king,queen\n", encoding="utf-8")
    res = run("eval", "analogies", ANALOGY_VEC, "--dataset", p)
    assert res.exit_code == 1
    line = error_line(res)
    assert str(p) in line and "line 3" in line


def test_unknown_dataset_exit_1():
    res = run("eval", "analogies", ANALOGY_VEC, "--dataset", "nope")
    assert res.exit_code == 1
    line = error_line(res)
    assert "google" in line and "msr" in line
    res = run("eval", "similarity", SIM_VEC, "--dataset", "nope")
    assert res.exit_code == 1
    assert "simlex999" in error_line(res)


@pytest.mark.parametrize("args", [
    ["analogies", "--method", "cosine"],
    ["analogies", "--restrict-vocab", "0"],
    ["analogies", "--limit", "-1"],
    ["similarity", "--oov", "ignore"],
    ["all", "--bogus"],
])
def test_usage_errors_exit_2(args):
    res = run("eval", args[0], ANALOGY_VEC, *args[1:])
    assert res.exit_code == 2, res.output


def test_missing_vectors_file_exit_1(tmp_path):
    res = run("eval", "analogies", tmp_path / "missing.vec", "--dataset", QUESTIONS)
    assert res.exit_code == 1
    assert "missing.vec" in error_line(res)


def test_no_vecs_and_no_model_is_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("eval", "similarity")
    assert res.exit_code == 2
    assert "no VECS given" in res.stderr


def test_vecs_default_to_newest_model_in_cwd(tmp_path, monkeypatch):
    from embkit.io import load
    kv = load(SIM_VEC)
    kv.save(tmp_path / "demo.embkit")
    monkeypatch.chdir(tmp_path)
    r = run_json("eval", "similarity", "--dataset", PAIRS)
    assert r["spearman"] == pytest.approx(0.4)


# --------------------------------------------------------------------------- similarity

def test_similarity_table_lists_oov():
    res = run("eval", "similarity", SIM_VEC, "--dataset", PAIRS)
    assert res.exit_code == 0, res.output
    row = next(line for line in res.stdout.splitlines() if line.startswith(PAIRS))
    assert "0.4000" in row and "0.5372" in row and "4/5" in row and "1 (20.0%)" in row
    assert "OOV pairs (dropped): cat/unicorn" in res.stdout


def test_similarity_json_space_file_and_zero_oov():
    r = run_json("eval", "similarity", SIM_VEC, "--dataset", FIXTURES / "pairs_space.txt")
    assert r["spearman"] == pytest.approx(0.4) and r["pearson"] == pytest.approx(0.537190, abs=5e-7)
    assert (r["pairs_used"], r["pairs_total"], r["oov"]) == (4, 5, [["cat", "unicorn"]])
    r = run_json("eval", "similarity", SIM_VEC, "--dataset", PAIRS, "--oov", "zero")
    assert r["spearman"] == pytest.approx(0.410391, abs=5e-7)
    assert r["pearson"] == pytest.approx(0.455146, abs=5e-7)
    assert r["oov_share"] == pytest.approx(0.2)


def test_similarity_bad_pairs_exit_1():
    res = run("eval", "similarity", SIM_VEC, "--dataset", FIXTURES / "pairs_bad.txt")
    assert res.exit_code == 1
    line = error_line(res)
    assert "0 valid pairs" in line and "line 1" in line
    assert "Traceback" not in res.output


def test_similarity_too_few_pairs_exit_1(tmp_path):
    p = tmp_path / "p.tsv"
    p.write_text("cat dog 1\ncat unicorn 2\n", encoding="utf-8")
    res = run("eval", "similarity", SIM_VEC, "--dataset", p)
    assert res.exit_code == 1
    assert "at least 2" in error_line(res)


def test_similarity_all_json_is_a_list():
    r = run_json("eval", "similarity", SIM_VEC, "--dataset", "all")
    assert isinstance(r, list) and len(r) == 11
    assert all(e["spearman"] is None and e["error"] for e in r)   # 5-word vocabulary
    res = run("eval", "similarity", SIM_VEC)
    assert res.exit_code == 0 and "simverb3500" in res.stdout
    assert "(n/a: fewer than 2 pairs scored)" in res.stdout


# --------------------------------------------------------------------------- all

def test_eval_all(tmp_path):
    words = ["king", "queen", "man", "woman", "car", "automobile", "gem", "jewel", "boy", "lad",
             "Athens", "Greece", "Baghdad", "Iraq", "good", "better", "rough", "rougher"]
    rng = np.random.default_rng(3)
    vec = tmp_path / "w.vec"
    rows = [f"{w} " + " ".join(f"{x:.4f}" for x in rng.normal(size=4)) for w in words]
    vec.write_text(f"{len(words)} 4\n" + "\n".join(rows) + "\n", encoding="utf-8")
    r = run_json("eval", "all", vec)
    assert set(r) == {"analogies", "similarity"}
    assert [a["dataset"] for a in r["analogies"]] == ["google", "msr"]
    assert r["analogies"][0]["answered"] >= 1 and r["analogies"][1]["answered"] >= 1
    assert len(r["similarity"]) == 11
    rg = next(s for s in r["similarity"] if s["dataset"] == "rg65")
    assert rg["pairs_used"] >= 2 and rg["spearman"] is not None
    res = run("eval", "all", vec)
    assert res.exit_code == 0
    assert "analogies: google" in res.stdout and "analogies: msr" in res.stdout
    assert "rg65" in res.stdout


def test_help():
    for sub in ("analogies", "similarity", "all"):
        res = run("eval", sub, "-h")
        assert res.exit_code == 0 and "--json" in res.stdout
