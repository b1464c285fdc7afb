"""The encoded corpus: sentence splitting, manifest, caching keyed by file version, damaged entries (case B10)."""
import gzip
import io
import os
import sys

import numpy as np
import pytest

from embkit.corpus.cache import cache_root
from embkit.corpus.encoded import EncodedCorpus
from embkit.exceptions import EmbkitError

from .helpers import CORPUS, encode


def test_b10_long_line_is_split_not_cut():
    enc = encode(CORPUS / "long_line.txt")
    assert enc.raw_tokens == 10003 and len(enc.tokens) == 10003
    assert np.diff(enc.offsets).tolist() == [10000, 3]
    assert enc.manifest["lines_split"] == 1
    enc = encode(CORPUS / "long_line.txt", max_sentence_length=4000)
    assert np.diff(enc.offsets).tolist() == [4000, 4000, 2003]


def test_stdin_is_encoded_without_cache(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a b a\nb c\n")))
    enc = EncodedCorpus.encode("-", min_count=1, progress=False)
    assert enc.path is None and enc.vocab.words == ["a", "b", "c"]
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_cache_is_reused_and_keyed_by_file_version(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b c a\n", encoding="utf-8")
    first = encode(p)
    assert first.path is not None and str(first.path).startswith(str(cache_root()))
    assert isinstance(first.tokens, np.memmap)
    again = encode(p)
    assert again.path == first.path
    assert encode(p, lowercase=True).path != first.path
    assert encode(p, min_count=2).path != first.path
    p.write_text("a b c a d\n", encoding="utf-8")
    os.utime(p, ns=(1, 1))
    changed = encode(p)
    assert changed.path != first.path and "d" in changed.vocab
    # nothing is written beside the input
    assert sorted(x.name for x in tmp_path.iterdir()) == ["c.txt"]


def test_manifest_records_sources_and_settings(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b\n\nb\n", encoding="utf-8")
    m = encode(p, tokenizer="regex", lowercase=True).manifest
    assert m["raw_tokens"] == 3 and m["tokens"] == 3 and m["sentences"] == 2 and m["lines"] == 3
    assert m["tokenizer"]["kind"] == "regex" and m["tokenizer"]["lowercase"] is True
    assert m["sources"][0]["size"] == 7 and m["sources"][0]["path"] == str(p)
    assert len(m["vocab_sha256"]) == 64


def _fifo_with(tmp_path, data):
    import threading
    path = tmp_path / "fifo"
    os.mkfifo(path)

    def writer():
        with open(path, "wb") as f:
            for i in range(0, len(data), 1000):      # in small pieces, as a slow producer would
                f.write(data[i:i + 1000])

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return path, t


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("compress", [None, gzip.compress])
def test_named_pipe_is_read_whole_and_not_cached(tmp_path, compress):
    text = "".join(f"{i} x\n" for i in range(20000)).encode()
    path, t = _fifo_with(tmp_path, compress(text) if compress else text)
    enc = encode(path)
    t.join(5)
    assert enc.manifest["raw_tokens"] == 40000 and enc.path is None
    assert enc.vocab.words[0] == "x" and len(enc.vocab) == 20001
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_dev_stdin_is_never_cached(tmp_path, monkeypatch):
    p = tmp_path / "c.txt"
    p.write_text("a b\n")
    with open(p, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(f)))
        enc = encode("/dev/fd/%d" % f.fileno())
    assert enc.path is None and enc.vocab.words == ["a", "b"]


def test_damaged_cache_entries_are_errors_not_crashes(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b c\nb c\n" * 10)
    enc = encode(p)
    where = enc.path
    del enc
    tokens = np.load(where / "tokens.npy")
    tokens[3] = 2**31 - 1
    np.save(where / "tokens.npy", tokens)
    enc = encode(p)
    with pytest.raises(EmbkitError, match=r"token ids outside the vocabulary of 3 words \(damaged cache\)"):
        enc.read_tokens(0, 10)
    offsets = np.load(where / "offsets.npy")
    offsets[-1] += 5
    np.save(where / "offsets.npy", offsets)
    with pytest.raises(EmbkitError, match="do not agree"):
        EncodedCorpus.open(where)


def test_a_file_rewritten_with_the_same_size_and_mtime_is_encoded_again(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("alpha betaa gamma\n" * 10)
    os.utime(p, ns=(10**18, 10**18))
    first = encode(p)
    q = tmp_path / "other.txt"
    q.write_text("delta epsil zetaa\n" * 10)                  # same size
    os.replace(q, p)
    os.utime(p, ns=(10**18, 10**18))                           # same mtime, as `cp -p` or `touch -d` leave it
    second = encode(p)
    assert first.vocab.words == ["alpha", "betaa", "gamma"] and second.vocab.words == ["delta", "epsil", "zetaa"]


def test_damaged_cached_vocabulary_is_noticed_and_rebuilt(tmp_path, caplog):
    p = tmp_path / "c.txt"
    p.write_text("a b c\nb c\n" * 10)
    where = encode(p).path
    with open(where / "vocab.tsv", "r+b") as f:
        f.write(b"q")                               # still a valid TSV: "q<TAB>20"
    with pytest.raises(EmbkitError, match="vocab.tsv does not match the manifest"):
        EncodedCorpus.open(where)
    with caplog.at_level("WARNING", logger="embkit"):
        enc = encode(p)                             # ignored and encoded again
    assert "ignoring unreadable cached corpus" in caplog.text and enc.vocab.words == ["b", "c", "a"]
