"""The cache: reuse marks, size limit (LRU eviction), `embkit cache`, full or read-only caches, any kind of entry."""
import errno
import gc
import json
import logging
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from embkit._atomic import _host_tag, atomic_file
from embkit.corpus import cache as cache_module
from embkit.corpus import encoded, reading
from embkit.corpus.cache import cache_entries, cache_limit, cache_root, cached, clear_cache, evict, leftovers
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import EmbkitError
from embkit_cli.main import cli


def _encode(path):
    return EncodedCorpus.encode(str(path), min_count=1, progress=False)


def _encode_closed(path):
    """Encode and let go of the corpus (an open one counts as in use); return its cache path."""
    enc = _encode(path)
    where = enc.path
    del enc
    gc.collect()
    return where


def _corpora(tmp_path, n):
    paths = []
    for i in range(n):
        p = tmp_path / f"c{i}.txt"
        p.write_text(("w%d x y z\n" % i) * 50)
        paths.append(p)
    return paths


def test_entries_are_listed_least_recently_used_first(tmp_path):
    a, b = _corpora(tmp_path, 2)
    ea, eb = _encode(a), _encode(b)   # (open entries are still listed)
    os.utime(ea.path / "manifest.json", (1000, 1000))
    os.utime(eb.path / "manifest.json", (2000, 2000))
    assert [e["path"] for e in cache_entries()] == [ea.path, eb.path]
    _encode(a)                                   # reuse marks it as used now
    entries = cache_entries()
    assert [e["path"] for e in entries] == [eb.path, ea.path]
    e = entries[1]
    assert e["tokens"] == 200 and e["vocab_size"] == 4 and e["sources"] == [str(a)]
    assert e["bytes"] == sum(f.stat().st_size for f in ea.path.iterdir())


def test_new_entries_evict_the_least_recently_used_beyond_the_limit(tmp_path, monkeypatch):
    a, b, c = _corpora(tmp_path, 3)
    pa = _encode_closed(a)
    one = sum(f.stat().st_size for f in pa.iterdir())
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", str(2 * one + one // 2))   # room for two entries
    os.utime(pa / "manifest.json", (1000, 1000))
    pb = _encode_closed(b)
    os.utime(pb / "manifest.json", (2000, 2000))
    pc = _encode_closed(c)
    assert not pa.exists() and pb.exists() and pc.exists()
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "0")                      # keeps only the new entry
    pa2 = _encode_closed(a)
    assert [e["path"] for e in cache_entries()] == [pa2]


def test_evict_never_removes_the_kept_entry(tmp_path):
    (a,) = _corpora(tmp_path, 1)
    pa = _encode_closed(a)
    assert evict(limit=0, keep=pa) == [] and pa.exists()
    assert evict(limit=0) == [pa] and not pa.exists()


def test_entries_in_use_are_neither_evicted_nor_cleared_and_stay_readable(tmp_path):
    a, b = _corpora(tmp_path, 2)
    ea = _encode(a)                                # open: a training would be reading it
    first = ea.read_tokens(0, 200).copy()
    assert evict(limit=0) == [] and ea.path.exists()
    assert clear_cache() == (0, 0, 1, 0) and ea.path.exists()
    res = CliRunner().invoke(cli, ["cache", "clear"])
    assert "1 in use by a running process left in place" in res.stderr     # a status line
    # leftovers of a killed encoding are removed by `cache clear`, and counted
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    (cache_root() / "corpora" / f".abc.{_host_tag()}-{proc.pid}.x1.tmp").mkdir()
    (cache_root() / "corpora" / f".abc.{_host_tag()}-{proc.pid}.x1.tmp" / "tokens.npy").write_bytes(b"\0" * 2048)
    res = CliRunner().invoke(cli, ["cache", "info"])
    assert "and 1 leftover(s) of interrupted runs (2.0 KiB); `embkit cache clear` removes them" in res.stdout
    res = CliRunner().invoke(cli, ["cache", "clear"])
    assert "and 1 leftover(s) of interrupted runs" in res.stderr
    # even if the files go (a process without flock support, a user's rm -r), reads go on
    shutil.rmtree(ea.path)
    np.testing.assert_array_equal(ea.read_tokens(0, 200), first)


def test_bad_cache_size_is_a_clear_error(tmp_path, monkeypatch):
    (a,) = _corpora(tmp_path, 1)
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "lots")
    with pytest.raises(EmbkitError, match="EMBKIT_CACHE_SIZE='lots' is not a size"):
        cache_limit()
    with pytest.raises(EmbkitError, match="EMBKIT_CACHE_SIZE"):
        _encode(a)
    assert cache_entries() == []


def test_cache_info_and_clear_commands(tmp_path):
    a, b = _corpora(tmp_path, 2)
    _encode_closed(a), _encode_closed(b)
    runner = CliRunner()
    res = runner.invoke(cli, ["cache", "info", "--json"])
    assert res.exit_code == 0
    info = json.loads(res.stdout)
    assert info["root"] == str(cache_root()) and len(info["entries"]) == 2
    assert info["bytes"] == sum(e["bytes"] for e in info["entries"]) and info["limit_bytes"] == 10**10
    res = runner.invoke(cli, ["cache", "info"])
    assert res.exit_code == 0 and "2 encoded corpora" in res.stdout and "200 tokens" in res.stdout
    res = runner.invoke(cli, ["cache", "clear"])
    assert res.exit_code == 0 and res.stderr.startswith("removed 2 encoded corpora")
    assert cache_entries() == [] and clear_cache() == (0, 0, 0, 0)


def test_reuse_checks_the_limit_evicts_and_repeats_warnings(tmp_path, monkeypatch, caplog):
    a, b = _corpora(tmp_path, 2)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"x \xff y\n" * 3)
    pa = _encode_closed(a)
    pb = _encode_closed(b)
    os.utime(pa / "manifest.json", (1000, 1000))
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "nonsense")
    with pytest.raises(EmbkitError, match="EMBKIT_CACHE_SIZE"):
        _encode(b)                                   # cached, but the setting is still checked
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "0")
    assert _encode_closed(b) == pb and not pa.exists()   # a reuse also keeps the cache under the limit
    monkeypatch.delenv("EMBKIT_CACHE_SIZE")
    for _ in range(2):                               # encoded, then reused: the warning both times
        caplog.clear()
        with caplog.at_level("WARNING", logger="embkit"):
            EncodedCorpus.encode(str(bad), min_count=1, encoding_errors="replace", progress=False)
        assert f"{bad}: replaced 3 invalid UTF-8 sequence(s)" in caplog.text


# ------------------------------------------------------------------ a cache that cannot take the entry

def _under_cache(path):
    return str(path).startswith(str(cache_root()))


def _fill_the_spill(error):
    """A stand-in for the spill writer that fails, like a full disk, inside the cache only."""
    real = encoded._Chunks.__call__

    def write(self, ids, lengths):
        if _under_cache(self.path):
            raise error()
        return real(self, ids, lengths)
    return write


def _fill_the_vocabulary(monkeypatch):
    """vocab.tsv, written through atomic_file (which names the file), fails on a full cache disk."""
    real = Vocabulary.save

    def save(self, path):
        if not _under_cache(path):
            return real(self, path)
        with atomic_file(path, "w") as f:
            f.write("partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(Vocabulary, "save", save)


@pytest.mark.parametrize("how", ["ENOSPC", "EDQUOT", "numpy short write", "vocab.tsv"])
def test_a_full_cache_disk_falls_back_to_no_cache_with_one_warning(tmp_path, monkeypatch, caplog, how):
    (a,) = _corpora(tmp_path, 1)
    if how == "vocab.tsv":
        _fill_the_vocabulary(monkeypatch)
    elif how == "numpy short write":       # numpy's tofile reports a short write without an errno
        monkeypatch.setattr(encoded._Chunks, "__call__", _fill_the_spill(lambda: OSError("4 requested and 0 written")))
        monkeypatch.setattr(cache_module, "_disk_full", _under_cache)
    else:
        code = getattr(errno, how)
        monkeypatch.setattr(encoded._Chunks, "__call__", _fill_the_spill(lambda: OSError(code, os.strerror(code))))
    with caplog.at_level("WARNING", logger="embkit"):
        enc = _encode(a)
    assert enc.path is None and enc.vocab.words == ["w0", "x", "y", "z"] and enc.vocab.counts.tolist() == [50] * 4
    assert len(enc.tokens) == 200 and enc.read_tokens(0, 5).tolist() == [0, 1, 2, 3, 0]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"cache directory {cache_root()} is full (")
    assert "--no-cache (library: cache=False)" in warnings[0]
    assert sorted(os.listdir(cache_root() / "corpora")) == []        # nothing partly written is left
    assert cache_entries() == [] and leftovers() == (0, 0)


def test_a_read_only_cache_takes_the_same_path(tmp_path, monkeypatch, caplog):
    (a,) = _corpora(tmp_path, 1)
    real = os.mkdir

    def mkdir(path, *args, **kw):
        if _under_cache(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *args, **kw)
    monkeypatch.setattr(os, "mkdir", mkdir)
    with caplog.at_level("WARNING", logger="embkit"):
        enc = _encode(a)
    assert enc.path is None and enc.vocab.words == ["w0", "x", "y", "z"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith(f"cache directory {cache_root()} is not writable (")
    assert "--no-cache (library: cache=False)" in warnings[0]
    assert not (cache_root() / "corpora").exists()


def test_no_room_for_the_uncached_build_either_is_an_error_naming_the_temporary_directory(tmp_path, monkeypatch,
                                                                                         caplog):
    (a,) = _corpora(tmp_path, 1)

    def write(self, ids, lengths):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(encoded._Chunks, "__call__", write)
    with caplog.at_level("WARNING", logger="embkit"), \
            pytest.raises(EmbkitError, match=r"cannot write the corpus to the temporary directory .*: No space left "
                                             r"on device; set TMPDIR"):
        _encode(a)
    assert sum(r.levelno >= logging.WARNING for r in caplog.records) == 1
    assert os.listdir(cache_root() / "corpora") == []


def test_an_unreadable_input_is_reported_as_itself_not_as_the_cache(tmp_path, monkeypatch):
    (a,) = _corpora(tmp_path, 1)

    def refuse(path):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    monkeypatch.setattr(reading, "_open_binary", refuse)
    with pytest.raises(PermissionError) as err:
        _encode(a)
    assert err.value.filename == str(a)
    assert os.listdir(cache_root() / "corpora") == []


# ------------------------------------------------------------------ the helper for every kind of entry

def test_cached_builds_once_reuses_and_shares_one_limit_across_kinds(tmp_path, monkeypatch):
    monkeypatch.setitem(cache_module.KINDS, "cooccur", ("co-occurrence table", "co-occurrence tables"))
    built = []

    def build(directory):
        built.append(directory)
        (directory / "counts.bin").write_bytes(b"\1" * 1000)
        (directory / "manifest.json").write_text(json.dumps({"sources": [{"path": "c.txt"}]}))

    def load(directory, in_cache):
        return directory, in_cache, (directory / "counts.bin").read_bytes()

    where, in_cache, data = cached("cooccur", "k1", build, load)
    assert where == cache_root() / "cooccur" / "k1" and in_cache and data == b"\1" * 1000
    assert cached("cooccur", "k1", build, load)[0] == where and len(built) == 1      # reused, not built again
    assert cached("cooccur", "k1", build, load, cache=False)[1] is False and len(built) == 2
    (where / "manifest.json").write_text("{damaged")
    os.unlink(where / "counts.bin")
    assert cached("cooccur", "k1", build, load)[2] == data and len(built) == 3          # damaged: built again
    (a,) = _corpora(tmp_path, 1)
    corpus_entry = _encode_closed(a)
    assert [e["kind"] for e in cache_entries()] == ["cooccur", "corpora"]
    assert [e["path"] for e in cache_entries(kind="corpora")] == [corpus_entry]
    res = CliRunner().invoke(cli, ["cache", "info"])
    assert "1 encoded corpora, 1 co-occurrence tables" in res.stdout and "cooccur/k1" in res.stdout
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "0")                      # one limit for the whole cache
    cached("cooccur", "k2", build, load)
    assert [e["path"].name for e in cache_entries()] == ["k2"]
    assert CliRunner().invoke(cli, ["cache", "clear"]).stderr.startswith("removed 1 cache entries")
    assert cache_entries() == []
    with pytest.raises(ValueError, match="unknown cache kind 'nonesuch'"):       # 'phrases' is a kind now
        cached("nonesuch", "k", build, load)
