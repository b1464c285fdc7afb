"""Atomic writes: nothing under the final name until complete; leftovers of killed runs are cleaned."""
import os
import subprocess
import sys

import pytest

from embkit._atomic import _host_tag, atomic_dir, atomic_file, remove_stale_temporaries


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
