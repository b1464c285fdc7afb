"""Training end to end: estimators and `embkit train` (cases B08, B10, B16, B17, B18)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

import embkit
from embkit.exceptions import MemoryBudgetError, TrainingDivergedError
from embkit.models._training import epoch_record
from embkit_cli.commands_train import default_output
from embkit_cli.main import cli

CORPUS = FIXTURES / "corpus"


def run(args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, args, catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_b17_loss_sum_does_not_saturate():
    # 20,000,000 partial sums of 8.0: float32 would stop at 2**27 = 134217728
    rec = epoch_record(0, np.full(20_000_000, 8.0), np.ones(20_000_000, np.int64), np.zeros(1, np.int64), 1, 1)
    assert rec["loss_sum"] == 160_000_000.0


def test_b17_epoch_losses_reset_and_add_up(tmp_path):
    # the case's literal command: with the default sample=1e-3 most of 15 tokens are subsampled away
    r = run(["train", str(CORPUS / "b17_corpus.txt"), "--min-count", "1", "--epochs", "3", "-o",
             str(tmp_path / "literal.embkit"), "--quiet"])
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "literal.embkit" / "meta.json").read_text())
    sums = [e["loss_sum"] for e in meta["training"]["epochs"]]
    assert len(sums) == 3 and all(np.isfinite(sums)) and meta["training"]["loss_total"] == pytest.approx(sum(sums))

    out = tmp_path / "m.embkit"
    r = run(["train", str(CORPUS / "b17_corpus.txt"), "--min-count", "1", "--epochs", "3", "--threads", "1",
             "--sample", "0", "-o", str(out)])
    assert r.exit_code == 0, r.output
    meta = json.loads((out / "meta.json").read_text())
    epochs = meta["training"]["epochs"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    sums = [e["loss_sum"] for e in epochs]
    assert all(np.isfinite(sums)) and all(s > 0 for s in sums)
    # each epoch covers only its own examples: the mean is the sum over that epoch's examples
    for e in epochs:
        assert e["loss_mean"] == pytest.approx(e["loss_sum"] / e["examples"], rel=1e-12)
        assert e["raw_tokens"] == 12 and e["sentences"] == 2  # 9 + 3 tokens
        assert np.log2(e["loss_sum"]) % 1 != 0
    assert abs(meta["training"]["loss_total"] - sum(sums)) <= 1e-9 * sum(sums)
    assert "epoch 1/3" in r.output and "epoch 3/3" in r.output  # printed on stderr


def test_b18_nan_in_weights_stops_training(tmp_path):
    enc = embkit.EncodedCorpus.encode(str(CORPUS / "b18_corpus.txt"), min_count=1, progress=False)
    init = np.full((len(enc.vocab), 8), 0.01, np.float32)
    init[0, 3] = np.nan
    with pytest.raises(TrainingDivergedError) as err:
        embkit.SkipGram(dim=8, min_count=1, threads=1, init_in=init, progress=False, sample=0).fit(enc)
    msg = str(err.value)
    assert "non-finite" in msg and "sgns" in msg and "epoch 1" in msg and "lower alpha" in msg
    with pytest.raises(TrainingDivergedError, match="cbow"):
        embkit.CBOW(dim=8, min_count=1, threads=1, init_out=init, progress=False, sample=0).fit(enc)


def test_b10_every_token_of_a_long_line_is_trained(tmp_path):
    args = ["train", str(CORPUS / "long_line.txt"), "--min-count", "1", "--sample", "0", "--window", "2",
            "--dim", "4", "--threads", "1", "--seed", "1", "--quiet"]
    r1 = run(args + ["--epochs", "1", "-o", str(tmp_path / "e1.embkit")])
    r0 = run(args + ["--epochs", "0", "-o", str(tmp_path / "e0.embkit")])
    assert r1.exit_code == 0 and r0.exit_code == 0, r1.output + r0.output
    meta = json.loads((tmp_path / "e1.embkit" / "meta.json").read_text())
    ep = meta["training"]["epochs"][0]
    assert ep["raw_tokens"] == 10003 and ep["tokens_trained"] == 10003
    assert meta["corpus"]["lines_split"] == 1
    kv1, kv0 = embkit.load(str(tmp_path / "e1.embkit")), embkit.load(str(tmp_path / "e0.embkit"))
    assert not np.allclose(kv1["x"], kv0["x"])
    assert not np.allclose(kv1.context[kv1.get_index("x")], 0)
    assert "split" in r1.output


@pytest.mark.parametrize("sample", [1e-3, 0.0])   # the case's command, and one where every token trains
def test_b16_same_seed_one_thread_is_byte_identical_across_processes(tmp_path, sample):
    hashes = []
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed, "EMBKIT_CACHE": str(tmp_path / f"cache{hashseed}")}
        out = tmp_path / f"{hashseed}.vec"
        subprocess.run([sys.executable, "-m", "embkit_cli.main", "train", str(CORPUS / "tie_corpus.txt"),
                        "--min-count", "1", "--dim", "4", "--epochs", "5", "--seed", "7", "--threads", "1",
                        "--sample", str(sample), "-o", str(out), "--quiet"], check=True, env=env, capture_output=True)
        hashes.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert hashes[0] == hashes[1]
    model = embkit.SkipGram(dim=4, epochs=5, seed=7, threads=1, min_count=1, sample=sample, progress=False).fit(
        str(CORPUS / "tie_corpus.txt"))
    model.wv.save(str(tmp_path / "lib.vec"))
    assert hashlib.sha256((tmp_path / "lib.vec").read_bytes()).hexdigest() == hashes[0]
    assert (tmp_path / "lib.vec").read_text().split("\n")[1].split()[0] == "delta"
    if sample == 0:
        # 3 lines of 4 words; a reduced window of 1 gives 1+2+2+1 = 6 pairs a line, a full one 4*3 = 12
        assert all(18 <= rec["examples"] <= 36 and rec["tokens_trained"] == 12 for rec in model.training_)


def test_b08_empty_corpus_cli_error_and_no_output(tmp_path):
    for name in ("empty.txt", "only_blank.txt"):
        r = CliRunner().invoke(cli, ["train", str(CORPUS / name), "-o", str(tmp_path / "out.vec"), "--quiet"])
        assert r.exit_code == 1
        assert "0 tokens" in r.output and name in r.output and "Traceback" not in r.output
        assert list(tmp_path.iterdir()) == []
    r = run(["train", str(CORPUS / "blank_lines.txt"), "--min-count", "1", "-o", str(tmp_path / "b.embkit"),
             "--quiet"])
    assert r.exit_code == 0
    meta = json.loads((tmp_path / "b.embkit" / "meta.json").read_text())
    assert meta["corpus"]["sentences"] == 2 and meta["corpus"]["tokens"] == 4


def test_default_output_name_and_native_directory(tmp_path):
    assert default_output(["data/corpora/sotu.txt.gz"]) == "sotu.embkit"
    assert default_output(["corpus.txt"]) == "corpus.embkit"
    assert default_output(["-"]) == "stdin.embkit"
    assert default_output(["d/en/sotu_19*.txt.gz"]) == "sotu_19.embkit"
    assert default_output(["d/en/*.txt"], "word2vec") == "en.vec"
    assert default_output(["d/texts/"]) == "texts.embkit"
    (tmp_path / "corpus.txt").write_text("a b c a b\nb c a\n" * 5)
    r = run(["train", "corpus.txt", "--min-count", "1", "--epochs", "1", "--dim", "8", "--quiet"], cwd=tmp_path)
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (tmp_path / "corpus.embkit").iterdir())
    assert {"vectors.npy", "context.npy", "meta.json"} <= set(files)
    meta = json.loads((tmp_path / "corpus.embkit" / "meta.json").read_text())
    assert meta["format"] == "embkit" and meta["params"]["dim"] == 8 and meta["params"]["window"] == 5
    assert meta["params"]["alpha"] == 0.05 and meta["model"] == "sgns"  # the batched update's default
    assert "sgns-sweep" in meta["defaults_applied"]["alpha"]
    assert meta["corpus"]["raw_tokens"] == 40


def test_cbow_default_alpha_and_usage_errors(tmp_path):
    (tmp_path / "c.txt").write_text("a b c a b\n" * 5)
    m = embkit.CBOW(dim=4, min_count=1, epochs=1, progress=False).fit(str(tmp_path / "c.txt"))
    assert m.wv.meta["params"]["alpha"] == 0.05 and m.wv.meta["model"] == "cbow"
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "--dim", "0"])
    assert r.exit_code == 2
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "--max-memory", "lots"])
    assert r.exit_code == 2 and "not a memory size" in r.output
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "--alpha", "0.01", "--min-alpha", "0.1"])
    assert r.exit_code == 2 and "--min-alpha" in r.output
    with pytest.raises(embkit.EmbkitError, match="window"):
        embkit.SkipGram(window=0).fit(str(tmp_path / "c.txt"))


def test_memory_budget_is_checked_before_allocating(tmp_path):
    (tmp_path / "c.txt").write_text(" ".join(f"w{i}" for i in range(1000)) + "\n")
    with pytest.raises(MemoryBudgetError) as err:
        embkit.SkipGram(dim=300, min_count=1, max_memory="1M", progress=False).fit(str(tmp_path / "c.txt"))
    assert "--max-memory" in str(err.value) and "input vectors" in str(err.value)
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "--min-count", "1", "--dim", "300",
                                 "--max-memory", "1MiB", "-o", str(tmp_path / "o.vec")])
    assert r.exit_code == 1 and "needs about" in r.output and not (tmp_path / "o.vec").exists()


def test_init_from_vectors_and_frozen_context(tmp_path):
    (tmp_path / "c.txt").write_text("a b c d a b\nc d a b\n" * 10)
    base = embkit.SkipGram(dim=6, min_count=1, epochs=2, threads=1, progress=False).fit(str(tmp_path / "c.txt")).wv
    m = embkit.SkipGram(dim=6, min_count=1, epochs=2, threads=1, progress=False, init_out=base,
                        train_out=False).fit(str(tmp_path / "c.txt"))
    np.testing.assert_array_equal(m.wv.context, base.context)
    assert not np.allclose(m.wv.vectors, base.vectors)
    with pytest.raises(embkit.EmbkitError, match="shape"):
        embkit.SkipGram(dim=6, min_count=1, progress=False, init_in=np.zeros((2, 6))).fit(str(tmp_path / "c.txt"))


def test_fit_on_token_lists_equals_fit_on_the_same_text(tmp_path):
    text = "a b c d a b\nc d a b\n" * 10
    (tmp_path / "c.txt").write_text(text)
    kw = dict(dim=6, min_count=1, epochs=2, threads=1, seed=5, progress=False)
    from_file = embkit.SkipGram(**kw).fit(str(tmp_path / "c.txt")).wv
    from_lists = embkit.SkipGram(**kw).fit([line.split() for line in text.splitlines()]).wv
    assert from_lists.index_to_key == from_file.index_to_key
    np.testing.assert_array_equal(from_lists.vectors, from_file.vectors)
    assert from_lists.meta["corpus"]["sources"] == [{"path": "<sentences>"}]


def test_threads_are_statistically_equivalent(tmp_path):
    # a corpus with planted structure: two topics whose words co-occur only within their topic
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(20)], [f"b{i}" for i in range(20)]]
    lines = [" ".join(rng.choice(topics[i % 2], 12)) for i in range(3000)]
    (tmp_path / "t.txt").write_text("\n".join(lines) + "\n")
    enc = embkit.EncodedCorpus.encode(str(tmp_path / "t.txt"), min_count=1, progress=False)
    res = {}
    for threads in (1, 2):
        m = embkit.SkipGram(dim=20, epochs=3, threads=threads, seed=3, progress=False).fit(enc)
        kv = m.wv
        same = np.mean([kv.similarity("a0", f"a{i}") for i in range(1, 20)])
        other = np.mean([kv.similarity("a0", f"b{i}") for i in range(20)])
        res[threads] = (m.training_[-1]["loss_mean"], same, other)
    # calibrated on seeds 0-9 with threads=1: final loss mean 1.93-1.95; within-topic cosine > 0.8,
    # across-topic < 0.1; Hogwild with 2 threads must land in the same bands
    for _loss, same, other in res.values():
        assert same > 0.6 and other < 0.3
    assert abs(res[1][0] - res[2][0]) < 0.02 * res[1][0]


def test_directory_corpus_skips_models_written_into_it(tmp_path):
    (tmp_path / "corpus.txt").write_text("a b c a b\nb c a\n" * 5)
    r1 = run(["train", ".", "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet", "-o", "first.embkit"],
             cwd=tmp_path)
    r2 = run(["train", ".", "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet", "-o", "second.embkit"],
             cwd=tmp_path)
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    meta = json.loads((tmp_path / "second.embkit" / "meta.json").read_text())
    assert [os.path.basename(s["path"]) for s in meta["corpus"]["sources"]] == ["corpus.txt"]
    # word2vec outputs (text, binary, compressed) written there are left out too, with a warning
    for name in ("a.vec", "b.bin", "c.txt.gz"):
        r = run(["train", ".", "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet", "-o", name],
                cwd=tmp_path)
        assert r.exit_code == 0, r.output
        assert "left out" not in r.output or "hold word vectors" in r.output
    r = run(["train", ".", "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet", "-o", "last.embkit"],
            cwd=tmp_path)
    assert r.output.count("left out 3 file(s) that hold word vectors, not text: a.vec, b.bin, c.txt.gz") == 1
    meta = json.loads((tmp_path / "last.embkit" / "meta.json").read_text())
    assert [os.path.basename(s["path"]) for s in meta["corpus"]["sources"]] == ["corpus.txt"]
    assert meta["corpus"]["raw_tokens"] == 40


def test_output_problems_are_found_before_training(tmp_path):
    (tmp_path / "c.txt").write_text("a b c a b\n" * 5)
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "-o", str(tmp_path / "c.txt")])
    assert r.exit_code == 1 and "also an input" in r.output
    assert (tmp_path / "c.txt").read_text().startswith("a b c")
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "-o", str(tmp_path / "x.vec"),
                                 "--format", "word2vec-bin"])
    assert r.exit_code == 1 and "stands for word2vec" in r.output and "training" not in r.output
    r = run(["train", "c.txt", "--min-count", "1", "--epochs", "1", "--format", "word2vec", "--quiet"], cwd=tmp_path)
    assert r.exit_code == 0 and (tmp_path / "c.vec").is_file()


def test_vocab_command_writes_tsv_or_stdout(tmp_path):
    r = run(["vocab", str(CORPUS / "tie_corpus.txt"), "--min-count", "1", "-o", "-"])
    assert r.exit_code == 0 and r.output == "delta\t3\nalpha\t3\ncharlie\t3\nbravo\t3\n"
    r = run(["vocab", str(CORPUS / "blank_lines.txt"), "--min-count", "1", "-o", str(tmp_path / "v.tsv"),
             "--tokenizer", "REGEX"])
    assert r.exit_code == 0 and (tmp_path / "v.tsv").read_text() == "the\t2\ncat\t1\ndog\t1\n"


def test_vocab_refuses_to_overwrite_its_corpus_or_a_directory(tmp_path):
    corpus = tmp_path / "lee.txt"
    corpus.write_text("a b a\n")
    r = CliRunner().invoke(cli, ["vocab", str(corpus), "--min-count", "1", "-o", str(corpus)])
    assert r.exit_code == 1 and "is also an input" in r.output
    assert corpus.read_text() == "a b a\n"
    (tmp_path / "d").mkdir()
    r = CliRunner().invoke(cli, ["vocab", str(corpus), "--min-count", "1", "-o", str(tmp_path / "d")])
    assert r.exit_code == 1 and "it is a directory" in r.output


def test_library_refuses_min_alpha_above_alpha():
    with pytest.raises(embkit.EmbkitError, match=r"min_alpha \(0.5\) must not exceed alpha \(0.01\)"):
        embkit.SkipGram(min_count=1, alpha=0.01, min_alpha=0.5, progress=False).fit([["a", "b"]])


def test_fit_on_an_encoded_corpus_uses_and_records_its_settings(tmp_path):
    (tmp_path / "c.txt").write_text("A b c\nb c a\n" * 10)
    enc = embkit.EncodedCorpus.encode(str(tmp_path / "c.txt"), min_count=1, lowercase=True, progress=False)
    m = embkit.SkipGram(dim=4, epochs=1, threads=1, progress=False).fit(enc)   # defaults: min_count 5, no lowercase
    params = m.wv.meta["params"]
    assert params["min_count"] == 1 and params["lowercase"] is True and params["tokenizer"] == "whitespace"
    with pytest.raises(embkit.EmbkitError,
                       match=r"tokenizer='regex' \(the corpus has 'whitespace'\), min_count=50 \(the corpus has 1\)"):
        embkit.SkipGram(min_count=50, tokenizer="regex", progress=False).fit(enc)


@pytest.mark.parametrize("args, message", [
    (["--alpha", "nan"], "nan is not a finite number"),
    (["--sample", "inf"], "inf is not a finite number"),
    (["--min-alpha", "nan"], "nan is not a finite number"),
    (["-o", "-"], "not written to standard output"),
    (["-o", ""], "give a file or directory name"),
])
def test_train_usage_errors_exit_2(tmp_path, args, message):
    (tmp_path / "c.txt").write_text("a b\n")
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), *args])
    assert r.exit_code == 2 and message in r.output
    assert not (tmp_path / "-").exists()


BIG = "1" + "0" * 400


@pytest.mark.parametrize("args, message", [
    # each of these crashed or printed a traceback before the options had upper bounds
    (["--window", "2147483648"], "'--window': 2147483648 is not in the range 1<=x<=2147483647"),
    (["--max-sentence-length", "9223372036854775808"],
     "'--max-sentence-length': 9223372036854775808 is not in the range 1<=x<=2147483647"),
    (["--dim", BIG], "'--dim': 100000000000... (401 digits) is not in the range 1<=x<=2147483647"),
    (["--epochs", BIG], "'--epochs': 100000000000... (401 digits) is not in the range 0<=x<=2147483647"),
    (["--max-memory", BIG], "max_memory must be a memory size (e.g. 512M, 2G) from 1 to 9223372036854775807 bytes"),
    (["--max-memory", "9223372036854775808"], "from 1 to 9223372036854775807 bytes"),
    (["--ns-exponent", "1000"], "1000.0 is not in the range -10.0<=x<=10.0"),
    (["--seed", str(2**64)], "is not in the range 0<=x<=18446744073709551615"),
    (["--min-count", str(2**63)], "is not in the range 1<=x<=9223372036854775807"),
    (["--sample", "2"], "2.0 is not in the range 0.0<=x<=1.0"),
    (["--alpha", "0"], "0.0 is not in the range 0.0<x<=10.0"),
])
def test_train_options_beyond_their_bounds_are_one_line_usage_errors(tmp_path, args, message):
    (tmp_path / "c.txt").write_text("a b\n")
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "-o", str(tmp_path / "o.vec"), *args])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    errors = [line for line in r.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0] and len(errors[0]) < 200, r.output
    assert "Traceback" not in r.output and not (tmp_path / "o.vec").exists()


def test_vocab_options_share_the_bounds(tmp_path):
    (tmp_path / "c.txt").write_text("a b\n")
    r = CliRunner().invoke(cli, ["vocab", str(tmp_path / "c.txt"), "-o", "-", "--max-sentence-length",
                                 "9223372036854775808"])
    assert r.exit_code == 2 and "is not in the range 1<=x<=2147483647" in r.output


def test_train_flags_from_the_table(tmp_path):
    (tmp_path / "c.txt").write_text("a b c d a b\nc d a b\n" * 10)
    r = run(["train", str(tmp_path / "c.txt"), "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet",
             "--no-shrink-windows", "--no-share-negatives", "--no-cache", "--ns-exponent", "-0.5", "--model", "cbow",
             "--max-memory", "1G", "-o", str(tmp_path / "m.embkit")])
    assert r.exit_code == 0, r.output
    params = json.loads((tmp_path / "m.embkit" / "meta.json").read_text())["params"]
    assert params["shrink_windows"] is False and params["share_negatives"] is False and params["sg"] is False
    assert params["ns_exponent"] == -0.5 and params["max_memory"] == "1G" and params["alpha"] == 0.05
    assert not list(Path(os.environ["EMBKIT_CACHE"]).glob("corpora/*/manifest.json"))     # --no-cache


def test_ctrl_c_exits_130_and_leaves_no_output(tmp_path, monkeypatch):
    (tmp_path / "c.txt").write_text("a b c\n" * 20)

    def interrupted(self, corpus):
        raise KeyboardInterrupt

    monkeypatch.setattr(embkit.models.word2vec.Word2Vec, "fit", interrupted)
    r = CliRunner().invoke(cli, ["train", str(tmp_path / "c.txt"), "-o", str(tmp_path / "o.vec")])
    assert r.exit_code == 130 and r.stderr.strip() == "embkit: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]


def test_outputs_that_are_not_regular_files_are_refused_and_links_followed(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 20)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (["vocab", str(corpus), "--min-count", "1", "-o", str(fifo)],
                 ["train", str(corpus), "--min-count", "1", "--epochs", "1", "-o", str(fifo), "--format", "word2vec"],
                 ["vocab", str(corpus), "--min-count", "1", "-o", "/dev/null"]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 1 and "not a regular file" in r.output, r.output
    assert fifo.is_fifo() and os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    # /dev/stdout redirected to a file must not replace that file
    log = tmp_path / "log.txt"
    log.write_text("important\n")
    with open(log, "a") as out:
        proc = subprocess.run([sys.executable, "-m", "embkit_cli.main", "vocab", str(corpus), "--min-count", "1",
                               "-o", "/dev/stdout"], stdout=out, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 1 and "not to /dev or /proc" in proc.stderr
    assert log.read_text() == "important\n"
    target = tmp_path / "real.tsv"
    target.write_text("old\n")
    link = tmp_path / "link.tsv"
    link.symlink_to(target)
    r = CliRunner().invoke(cli, ["vocab", str(corpus), "--min-count", "1", "-o", str(link)])
    assert r.exit_code == 0 and link.is_symlink() and target.read_text() == "a\t20\nb\t20\nc\t20\n"


def test_no_output_inside_an_input_model(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 20)
    r = run(["train", str(corpus), "--min-count", "1", "--epochs", "1", "--dim", "4", "--quiet", "-o",
             str(tmp_path / "m.embkit")])
    assert r.exit_code == 0
    before = (tmp_path / "m.embkit" / "vocab.tsv").read_bytes()
    r = CliRunner().invoke(cli, ["convert", str(tmp_path / "m.embkit"), str(tmp_path / "m.embkit" / "vocab.tsv"),
                                 "--to", "word2vec"])
    assert r.exit_code == 1 and "is also an input, or inside one" in r.output
    r = CliRunner().invoke(cli, ["train", str(corpus), "--min-count", "1", "-o",
                                 str(tmp_path / "m.embkit" / "v.vec")])
    assert r.exit_code == 1 and "inside the embkit model" in r.output
    r = CliRunner().invoke(cli, ["vocab", str(corpus), "--min-count", "1", "-o",
                                 str(tmp_path / "m.embkit" / "vocab.tsv")])
    assert r.exit_code == 1 and "inside the embkit model" in r.output
    assert (tmp_path / "m.embkit" / "vocab.tsv").read_bytes() == before


def test_sigterm_exits_143_and_leaves_no_temporary(tmp_path):
    import signal
    import time

    corpus = tmp_path / "c.txt"
    rng = np.random.default_rng(0)
    corpus.write_text("\n".join(" ".join(f"w{i}" for i in rng.integers(0, 500, 50)) for _ in range(20000)) + "\n")
    env = {**os.environ, "EMBKIT_CACHE": str(tmp_path / "cache")}
    p = subprocess.Popen([sys.executable, "-m", "embkit_cli.main", "train", str(corpus), "--epochs", "200",
                          "--min-count", "1", "--threads", "1", "-o", str(tmp_path / "out.vec")],
                         env=env, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):                           # up to about a minute: wait until encoded (then training)
        if any((tmp_path / "cache").rglob("manifest.json")):
            break
        time.sleep(0.05)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 143 and err.strip().endswith("embkit: terminated"), err
    # a closed terminal (SIGHUP) is handled the same way
    p = subprocess.Popen([sys.executable, "-m", "embkit_cli.main", "train", str(corpus), "--epochs", "200",
                          "--min-count", "1", "--threads", "1", "-o", str(tmp_path / "out.vec")],
                         env=env, stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()                     # logged once the handlers are installed
    assert "using cached encoded corpus" in first, first
    time.sleep(0.3)
    p.send_signal(signal.SIGHUP)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 129 and err.strip().endswith("embkit: terminated by signal 1"), err
    assert sorted(x.name for x in tmp_path.iterdir()) == ["c.txt", "cache"]
    assert not [x for x in (tmp_path / "cache" / "corpora").iterdir() if x.name.startswith(".")]
