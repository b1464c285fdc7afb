"""Messages of the command line: option values, info's values, a file inside a model, eval all's options."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from embkit import io
from embkit.vectors import KeyedVectors
from embkit_cli._common import as_flags, flag
from embkit_cli.main import cli

EVAL = Path(__file__).parent / "fixtures" / "eval"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model.embkit"
    meta = {"model": "sgns", "params": {"sg": True, "lowercase": False, "max_vocab_size": None, "alpha": 0.05},
            "corpus": {"sources": [{"path": "/data/a.txt", "size": 10}], "tokenizer": {"pattern": None}},
            "training": {"epochs": [], "bitwise_reproducible": True, "words_per_second": None}}
    io.save(KeyedVectors(["a", "b", "c"], np.eye(3), counts=[3, 2, 1], context=np.ones((3, 3)), meta=meta), path)
    return path


@pytest.mark.parametrize("args, message", [
    (["train", "c.txt", "--dim", "abc"], "Invalid value for '--dim': 'abc' is not an integer"),
    (["train", "c.txt", "--epochs", "1.5"], "Invalid value for '--epochs': '1.5' is not an integer"),
    (["train", "c.txt", "--alpha", "fast"], "Invalid value for '--alpha': 'fast' is not a number"),
    (["neighbors", "x.vec", "a", "--topn", "ten"], "Invalid value for '--topn': 'ten' is not an integer"),
    (["analogy", "x.vec", "a", "b", "c", "--topn", "1e3"], "Invalid value for '--topn': '1e3' is not an integer"),
    (["info", "x.vec", "--limit", "many"], "Invalid value for '--limit': 'many' is not an integer"),
    (["eval", "analogies", "x.vec", "--restrict-vocab", "3k"],
     "Invalid value for '--restrict-vocab': '3k' is not an integer"),
    (["eval", "all", "x.vec", "--restrict-vocab", "0"],
     "Invalid value for '--restrict-vocab': 0 is not in the range x>=1"),
])
def test_option_values_that_are_not_numbers_are_named_so(args, message):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().splitlines()[-1] == f"Error: {message}"


def test_info_shows_yes_no_and_dash(model_dir):
    r = run("info", model_dir)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    for line in ("  sg: yes", "  lowercase: no", "  max_vocab_size: -", "  alpha: 0.05", "    pattern: -",
                 "    - path=/data/a.txt, size=10", "  epochs: -", "  bitwise_reproducible: yes",
                 "  words_per_second: -"):
        assert line in lines, r.stdout
    assert "True" not in r.stdout and "False" not in r.stdout and "None" not in r.stdout


@pytest.mark.parametrize("command", [["info"], ["neighbors"], ["eval", "all"], ["convert"]])
def test_a_file_inside_a_model_points_to_the_model(model_dir, command):
    inner = model_dir / "vectors.npy"
    extra = {"neighbors": ["a"], "convert": [model_dir.parent / "out.vec"]}.get(command[0], [])
    r = run(*command, inner, *extra)
    assert r.exit_code == 1, r.output
    assert r.stderr == (f"embkit: error: {inner} is a file inside the embkit model {model_dir}; give the model "
                        f"directory: embkit {' '.join(command)} {model_dir}\n")


def test_eval_all_restrict_vocab_is_that_of_eval_analogies():
    vec = EVAL / "analogy.vec"
    r = run("eval", "all", vec, "--restrict-vocab", 6, "--json")
    assert r.exit_code == 0, r.output
    every = json.loads(r.stdout)
    for result in every["analogies"]:
        r = run("eval", "analogies", vec, "--dataset", result["dataset"], "--restrict-vocab", 6, "--json")
        assert json.loads(r.stdout) == result
        assert result["restrict_vocab"] == 6
    google = every["analogies"][0]
    assert google["dataset"] == "google" and google["correct"] == 2 and google["answered"] == 2
    unrestricted = json.loads(run("eval", "all", vec, "--json").stdout)
    assert unrestricted["similarity"] == every["similarity"]                  # similarity uses every word
    assert unrestricted["analogies"][0]["answered"] > 2
    assert "restrict-vocab 6" in run("eval", "all", vec, "--restrict-vocab", 6).stdout.splitlines()[0]


def test_library_parameters_become_flags():
    assert flag("sample", "0") == "--sample 0"
    assert flag("max_sentence_length", "10") == "--max-sentence-length 10"
    assert flag("cache", "False") == "--no-cache" and flag("lowercase", True) == "--lowercase"
    assert as_flags("corpus too small for sample=0.001? try sample=0)", ["sample"]) == \
        "corpus too small for --sample 0.001? try --sample 0)"
    assert as_flags("threads=4 exceeds the 2 available; using 2", ["threads"]) == \
        "--threads 4 exceeds the 2 available; using 2"
    assert as_flags("epochs=0: nothing is trained.", ["epochs"]) == "--epochs 0: nothing is trained."
    assert as_flags("min_sample=3, sample=1.", ["sample"]) == "min_sample=3, --sample 1."     # whole names only


@pytest.mark.parametrize("option, value, says", [
    ("--dim", "1" * 5000, "111111111111... (5000 digits) is not in the range"),
    ("--dim", "1x" + "1" * 5000, "(5004 characters) is not an integer"),
    ("--alpha", "x" + "1" * 5000, "(5003 characters) is not a number"),
    ("--model", "1" * 5000, "(5002 characters) is not one of"),
])
def test_absurdly_long_option_values_are_quoted_short(tmp_path, option, value, says):
    """A 5,000-character option value gives a short one-line usage error (exit 2), not the value echoed."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    res = run("train", corpus, option, value)
    assert res.exit_code == 2
    assert says in res.output and max(len(line) for line in res.output.splitlines()) < 200


@pytest.mark.parametrize("args, message", [
    (["--size", "50"], "No such option '--size': embkit calls it --dim"),
    (["--vector-size", "50"], "No such option '--vector-size': embkit calls it --dim"),
    (["--workers", "2"], "No such option '--workers': embkit calls it --threads"),
    (["-dim", "50"], "No such option '-dim': embkit spells it --dim"),
    (["--min_count", "3"], "No such option '--min_count': embkit spells it --min-count"),
    (["--min_n", "2"], "No such option '--min_n': embkit calls it --minn"),
    (["--sg", "0"], "No such option '--sg': embkit chooses the model with --model sgns or --model cbow"),
    (["-cbow", "1"], "No such option '-cbow': embkit chooses the model with --model cbow"),
    (["-epoch", "3"], "No such option '-epoch': embkit calls it --epochs"),
    (["-minCount", "3"], "No such option '-minCount': embkit calls it --min-count"),
    (["-lr", "0.1"], "No such option '-lr': embkit calls it --alpha"),
    (["--hs", "1"], "No such option '--hs': hierarchical softmax is not supported; embkit trains with negative "
                    "sampling, see --negative"),
])
def test_gensim_and_fasttext_option_names_are_translated(tmp_path, args, message):
    """The CLI answers gensim's and fastText's option names with embkit's, as the library does."""
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), *args])
    assert r.exit_code == 2 and message in r.output, r.output
    assert "Did you mean" not in r.output


@pytest.mark.parametrize("args, message", [
    (["-output", "v.vec"], "No such option '-output': embkit spells it --output"),
    (["-min-count", "3"], "No such option '-min-count': embkit spells it --min-count"),
    (["-binary", "1"], "No such option '-binary': in embkit, -o NAME.bin"),
    (["-input", "c.txt"], "No such option '-input': in embkit, the corpus is the first argument"),
    (["-save-vocab", "v.txt"], "No such option '-save-vocab': in embkit, `embkit vocab CORPUS -o vocab.tsv`"),
])
def test_word2vec_c_single_dash_options_are_caught_before_parsing(tmp_path, args, message):
    """word2vec.c's -output x would be read as -o utput (a model named 'utput'): refused before anything runs."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 5)
    r = CliRunner().invoke(cli, ["train", str(corpus), *args])
    assert r.exit_code == 2 and message in r.output, r.output
    assert not list(tmp_path.glob("utput*")) and not (tmp_path / "c.embkit").exists()
