"""Atomic writes: nothing under the final name until complete; leftovers of killed runs are cleaned."""
import os
import subprocess
import sys

import pytest

from embkit._atomic import _host_tag, atomic_dir, atomic_file, remove_stale_temporaries
from embkit.exceptions import EmbkitError


def _dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.vec"
    with pytest.raises(RuntimeError):
        with atomic_file(target) as f:
            f.write(b"half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError):
        with atomic_dir(tmp_path / "model") as d:
            (d / "x.npy").write_bytes(b"x")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_dead_processes_are_removed_on_the_next_write(tmp_path):
    tag = _host_tag()
    dead, alive = _dead_pid(), os.getpid()
    stale_file = tmp_path / f".out.vec.{tag}-{dead}.abc123.tmp"
    stale_file.write_bytes(b"half")
    stale_dir = tmp_path / f".model.{tag}-{dead}.k9_x.tmp"
    stale_dir.mkdir()
    (stale_dir / "vectors.npy").write_bytes(b"half")
    live = tmp_path / f".out.vec.{tag}-{alive}.zzz.tmp"        # a write still in progress
    live.write_bytes(b"busy")
    other_host = tmp_path / f".out.vec.ffffff-{dead}.abc.tmp"   # maybe alive on another machine
    other_host.write_bytes(b"?")
    unrelated = tmp_path / ".out.vec.notes"
    unrelated.write_bytes(b"mine")

    with atomic_file(tmp_path / "out.vec") as f:
        f.write(b"done")
    assert not stale_file.exists()
    assert live.exists() and other_host.exists() and unrelated.exists()
    assert (tmp_path / "out.vec").read_bytes() == b"done"

    with atomic_dir(tmp_path / "model") as d:
        (d / "vectors.npy").write_bytes(b"done")
    assert not stale_dir.exists()
    assert (tmp_path / "model" / "vectors.npy").read_bytes() == b"done"
    assert remove_stale_temporaries(tmp_path / "out.vec") == 0


def test_write_errors_name_the_output_not_the_temporary(tmp_path):
    target = tmp_path / "out.vec"
    (tmp_path / "out.vec").mkdir()                 # os.replace onto a directory fails
    with pytest.raises(EmbkitError) as err:
        with atomic_file(target) as f:
            f.write(b"x")
    assert str(err.value).startswith(f"cannot write {target}: ") and ".tmp" not in str(err.value)


def test_directory_replacement_survives_a_concurrent_writer(tmp_path, monkeypatch):
    import embkit._atomic as atomic

    target = tmp_path / "m.embkit"
    target.mkdir()
    (target / "old").write_text("old")
    real_replace = os.replace
    calls = {"n": 0}

    def racing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 1:                        # another process moves the old model away first
            real_replace(src, tmp_path / "elsewhere")
            raise FileNotFoundError(2, "No such file or directory", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)     # the fallback, where renameat2 is missing
    monkeypatch.setattr(atomic.os, "replace", racing_replace)
    with atomic_dir(target) as d:
        (d / "new").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new"]


def test_directory_replacement_swaps_in_one_step_where_linux_allows(tmp_path):
    import embkit._atomic as atomic

    target = tmp_path / "m.embkit"
    target.mkdir()
    (target / "old").write_text("old")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a")
    if not atomic._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    assert (b / "x").read_text() == "a" and not (a / "x").exists()
    with atomic_dir(target) as d:
        (d / "new").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "m.embkit"]     # no leftovers
