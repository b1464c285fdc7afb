"""The cache of encoded corpora: reuse marks, size limit (LRU eviction), `embkit cache`."""
import gc
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from embkit._atomic import _host_tag
from embkit.corpus.cache import cache_entries, cache_limit, cache_root, clear_cache, evict
from embkit.corpus.encoded import EncodedCorpus
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
    assert "1 in use by a running process left in place" in res.stdout
    # leftovers of a killed encoding are removed by `cache clear`, and counted
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    (cache_root() / "corpora" / f".abc.{_host_tag()}-{proc.pid}.x1.tmp").mkdir()
    (cache_root() / "corpora" / f".abc.{_host_tag()}-{proc.pid}.x1.tmp" / "tokens.npy").write_bytes(b"\0" * 2048)
    res = CliRunner().invoke(cli, ["cache", "info"])
    assert "and 1 leftover(s) of interrupted runs (2.0 KiB); `embkit cache clear` removes them" in res.stdout
    res = CliRunner().invoke(cli, ["cache", "clear"])
    assert "and 1 leftover(s) of interrupted runs" in res.stdout
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
    assert res.exit_code == 0 and res.stdout.startswith("removed 2 encoded corpora")
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
