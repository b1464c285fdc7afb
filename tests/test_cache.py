"""The cache of encoded corpora: reuse marks, size limit (LRU eviction), `embkit cache`."""
import json
import os

import pytest
from click.testing import CliRunner

from embkit.corpus.cache import cache_entries, cache_limit, cache_root, clear_cache, evict
from embkit.corpus.encoded import EncodedCorpus
from embkit.exceptions import EmbkitError
from embkit_cli.main import cli


def _encode(path):
    return EncodedCorpus.encode(str(path), min_count=1, progress=False)


def _corpora(tmp_path, n):
    paths = []
    for i in range(n):
        p = tmp_path / f"c{i}.txt"
        p.write_text(("w%d x y z\n" % i) * 50)
        paths.append(p)
    return paths


def test_entries_are_listed_least_recently_used_first(tmp_path):
    a, b = _corpora(tmp_path, 2)
    ea, eb = _encode(a), _encode(b)
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
    ea = _encode(a)
    one = sum(f.stat().st_size for f in ea.path.iterdir())
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", str(2 * one + one // 2))   # room for two entries
    os.utime(ea.path / "manifest.json", (1000, 1000))
    eb = _encode(b)
    os.utime(eb.path / "manifest.json", (2000, 2000))
    ec = _encode(c)
    assert not ea.path.exists() and eb.path.exists() and ec.path.exists()
    monkeypatch.setenv("EMBKIT_CACHE_SIZE", "0")                      # keeps only the new entry
    ea2 = _encode(a)
    assert [e["path"] for e in cache_entries()] == [ea2.path]


def test_evict_never_removes_the_kept_entry(tmp_path):
    (a,) = _corpora(tmp_path, 1)
    ea = _encode(a)
    assert evict(limit=0, keep=ea.path) == [] and ea.path.exists()
    assert evict(limit=0) == [ea.path] and not ea.path.exists()


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
    _encode(a), _encode(b)
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
    assert cache_entries() == [] and clear_cache() == (0, 0)
