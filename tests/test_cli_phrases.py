"""``embkit phrases``, ``embkit eval phrases`` and ``train --phrases/--terms`` through CliRunner."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from embkit_cli.main import cli

TERMS = Path(__file__).parent / "fixtures" / "terms"
CORPUS = ("The Bank of England raised rates in New York.\nNew York, the city, never sleeps.\n"
          "A hot dog in New York costs more than a hot dog elsewhere.\nthe bank of england said so\n") * 4


def run(args, cwd=None):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return path


def test_phrases_writes_a_tsv_and_reports(corpus, tmp_path):
    out = tmp_path / "p.tsv"
    r = run(["phrases", corpus, "-o", out, "--tokenizer", "regex", "--lowercase", "--min-count", "4"])
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and f"wrote {out}: " in r.stderr and "phrases pass 1:" in r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# embkit phrases") and '"min_count": 4' in lines[1]
    assert lines[2] == f"# corpus: c.txt; {34 * 4} tokens; {len(lines) - 3} terms"     # 9 + 6 + 13 + 6 a copy
    terms = [line.split("\t")[0] for line in lines[3:]]
    assert "bank_of_england" in terms and "hot_dog" in terms and "new_york" in terms
    assert "york_the" not in terms                          # not across the comma
    piped = run(["phrases", corpus, "-o", "-", "--tokenizer", "regex", "--lowercase", "--min-count", "4", "-q"])
    assert piped.exit_code == 0 and piped.stdout.splitlines() == lines and piped.stderr == ""


def test_eval_phrases_table_and_json():
    r = run(["eval", "phrases", TERMS / "phrases.tsv", "--gold", TERMS / "gold.txt", "--top", "2"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"phrases: {TERMS / 'phrases.tsv'} (4 multi-word terms); gold: {TERMS / 'gold.txt'} (3 multi-word terms)",
        "    top K  precision  hits", "        2      0.500  1/2", "gold terms found: 2 of 3 (66.7%)"]
    r = run(["eval", "phrases", TERMS / "phrases.tsv", "--json"])
    data = json.loads(r.stdout)
    assert data["gold"] == "wordnet" and [p["hits"] for p in data["precision"]] == [3, 3, 3]


def test_train_with_phrases_file_auto_and_terms(corpus, tmp_path):
    p = tmp_path / "p.tsv"
    assert run(["phrases", corpus, "-o", p, "--tokenizer", "regex", "--lowercase", "--min-count", "4",
                "-q"]).exit_code == 0
    common = ["--tokenizer", "regex", "--lowercase", "--min-count", "1", "--epochs", "1", "--dim", "4",
              "--threads", "1", "-q"]
    for option, value, name in (("--phrases", p, "a"), ("--phrases", "auto", "b")):
        r = run(["train", corpus, option, value, "-o", tmp_path / f"{name}.embkit", *common])
        assert r.exit_code == 0, r.output
        n = run(["neighbors", tmp_path / f"{name}.embkit", "new_york", "--topn", "2"])
        assert n.exit_code == 0 and n.stdout.strip(), n.output
    terms = tmp_path / "terms.txt"
    terms.write_text("hot dog\nbank of england\n")
    r = run(["train", corpus, "--terms", terms, "-o", tmp_path / "t.embkit", *common])
    assert r.exit_code == 0, r.output
    words = (tmp_path / "t.embkit" / "vocab.tsv").read_text().split()
    assert "hot_dog" in words and "bank_of_england" in words and "new_york" not in words
    meta = json.loads((tmp_path / "t.embkit" / "meta.json").read_text())
    assert meta["params"]["terms"] == str(terms)


@pytest.mark.parametrize("args, message", [
    (["--threshold", "1.5"], "threshold must be in [-1, 1) for scorer='npmi'"),
    (["--scorer", "word2vec", "--threshold", "-0.5"], "threshold must be >= 0 for scorer='word2vec'"),
    (["--threshold", "-2"], "-2.0 is not in the range"),
    (["--passes", "0"], "0 is not in the range"),
    (["--delimiter", "a b"], "delimiter must be a non-empty string without whitespace"),
    (["-o", " "], "give a file name"),
])
def test_phrases_usage_errors_exit_2(corpus, args, message):
    r = run(["phrases", corpus, "-o", "p.tsv", *args])
    assert r.exit_code == 2 and message in r.output, r.output


def test_bad_input_exits_1_naming_file_and_line(corpus, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    r = run(["phrases", tmp_path / "empty.txt", "-o", tmp_path / "p.tsv"])
    assert r.exit_code == 1 and "contains 0 tokens" in r.stderr
    r = run(["phrases", corpus, "-o", corpus])
    assert r.exit_code == 1 and "is also an input" in r.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("# settings: {}\nnew_york\t3\t0.5\nnew york\t2\t0.1\n")
    r = run(["train", corpus, "--phrases", bad, "-o", tmp_path / "m.embkit", "--min-count", "1"])
    assert r.exit_code == 1 and f"{bad}, line 3: 'new york' is not a multi-word term" in r.stderr, r.output
    r = run(["eval", "phrases", bad])
    assert r.exit_code == 1 and f"{bad}, line 3:" in r.stderr
    terms = tmp_path / "terms.txt"
    terms.write_text("hot dog\nsolo\n")
    r = run(["train", corpus, "--terms", terms, "-o", tmp_path / "m.embkit", "--min-count", "1"])
    assert r.exit_code == 1 and f"{terms}, line 2: a term needs two or more words" in r.stderr
    r = run(["train", corpus, "--terms", tmp_path / "missing.txt", "-o", tmp_path / "m.embkit"])
    assert r.exit_code == 1 and "missing.txt: no such file or directory" in r.stderr.lower()
