"""Counted rows of a co-occurrence matrix held in memory or spilled to disk, and the counts.npz file.

Counting produces the matrix as *runs*: consecutive blocks of whole rows,
each sorted by row and column.  A run is kept in memory while the memory cap
allows, and otherwise written to a file in a spill directory.  Because runs
hold disjoint, consecutive rows, merging them is concatenation: one run file
is open at a time, however many there are, and the result is the same matrix
whichever runs were spilled.

The ``.npz`` file is the CSR matrix as :func:`scipy.sparse.save_npz` writes
it (``indices``, ``indptr``, ``format``, ``shape``, ``data``; uncompressed)
plus ``vocab`` (the words joined by newlines, a 0-d str array), ``counts``
(int64, the words' corpus counts) and ``settings`` (a 0-d str array holding
JSON).  It is written member by member from the runs, so the whole matrix
is never held in memory to write it.
"""
import json
import logging
import os
import shutil
import socket
import uuid
import zipfile
from pathlib import Path

import numpy as np

from .._outputs import output_file

log = logging.getLogger(__name__)

COUNTS = "co-occurrence counts"
"""What a counts.npz file holds, for the output checks' messages."""

_COPY_ITEMS = 1 << 18
"""Entries copied at a time from a spilled run."""


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class SpillDir:
    """A private directory for spilled runs, removed by :meth:`remove` (and by a later run if its process died).

    Parameters
    ----------
    parent : str or os.PathLike
        Where to create it (e.g. ``$EMBKIT_CACHE/tmp``).
    own_parent : bool
        ``parent`` is the user's ``tmp_dir``: it is created only when its
        own parent exists (never a chain of directories), and removed again
        with the spill directory when it was created here and is left empty.
    """

    PREFIX = "cooccur-"

    def __init__(self, parent, own_parent=False):
        self.parent = Path(parent)
        self.path = None
        self.own_parent = bool(own_parent)
        self._made_parent = False

    def _tag(self):
        return f"{self.PREFIX}{socket.gethostname()}-"

    def create(self):
        """Create the directory (once); remove those left by dead processes of this host first.

        Returns
        -------
        pathlib.Path
        """
        if self.path is None:
            if self.own_parent and not self.parent.exists():
                self.parent.mkdir()                 # one level: a missing grandparent is an error
                self._made_parent = True
            self.parent.mkdir(parents=True, exist_ok=True)
            self.remove_stale()
            self.path = self.parent / f"{self._tag()}{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self.path.mkdir()
        return self.path

    def remove_stale(self):
        """Remove spill directories of this host whose process no longer exists.

        Returns
        -------
        int
            How many were removed.
        """
        tag, removed = self._tag(), 0
        try:
            entries = list(os.scandir(self.parent))
        except OSError:
            return 0
        for e in entries:
            if not e.name.startswith(tag):
                continue
            pid = e.name[len(tag):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(e.path, ignore_errors=True)
                removed += 1
        return removed

    def remove(self):
        """Remove the directory and its files (nothing happens if it was never created)."""
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
        if self._made_parent:
            try:
                self.parent.rmdir()                 # only if empty
            except OSError:
                pass
            self._made_parent = False


class Runs:
    """The counted rows, run by run, in memory or spilled.

    Parameters
    ----------
    n_words : int
        Rows and columns of the matrix.
    dtype : numpy dtype
        Type of the counts (float64 or float32).
    spill : SpillDir
        Where spilled runs go.
    """

    def __init__(self, n_words, dtype, spill):
        self.n_words = int(n_words)
        self.dtype = np.dtype(dtype)
        self.spill = spill
        self.row_nnz = np.zeros(self.n_words, np.int64)
        self._runs = []          # (row0, row1, nnz, cols or None, data or None, file or None)
        self.bytes_in_memory = 0
        self.spilled = 0

    @property
    def nnz(self):
        """Entries counted so far (int)."""
        return int(self.row_nnz.sum())

    def add(self, row0, row1, row_nnz, cols, data, to_disk):
        """Append the rows ``row0:row1`` (after those added before).

        Parameters
        ----------
        row0, row1 : int
            The rows.
        row_nnz : int64 ndarray, shape (row1 - row0,)
            Entries of each row.
        cols : int32 ndarray
            Their columns, row after row.
        data : ndarray
            Their counts (``dtype``).
        to_disk : bool
            Write the run to the spill directory instead of keeping it.
        """
        self.row_nnz[row0:row1] = row_nnz
        n = len(cols)
        if to_disk:
            path = self.spill.create() / f"run-{len(self._runs):06d}.bin"
            with open(path, "wb") as f:
                cols.tofile(f)
                data.tofile(f)
            self._runs.append((row0, row1, n, None, None, path))
            self.spilled += 1
        else:
            self._runs.append((row0, row1, n, cols, data, None))
            self.bytes_in_memory += cols.nbytes + data.nbytes

    def _read(self, i, what):
        """Yield run ``i``'s columns (``what="cols"``) or counts, a bounded piece at a time."""
        _, _, n, cols, data, path = self._runs[i]
        if path is None:
            yield cols if what == "cols" else data
            return
        dtype = np.dtype(np.int32) if what == "cols" else self.dtype
        with open(path, "rb") as f:
            f.seek(0 if what == "cols" else 4 * n)
            for start in range(0, n, _COPY_ITEMS):
                yield np.fromfile(f, dtype=dtype, count=min(_COPY_ITEMS, n - start))

    def _pieces(self, what):
        for i in range(len(self._runs)):
            yield from self._read(i, what)

    def index_dtype(self):
        """int32 when the entries fit (as scipy would choose), else int64."""
        return np.int32 if self.nnz < 2**31 and self.n_words < 2**31 else np.int64

    def indptr(self):
        """The CSR row pointer (``index_dtype``), shape (n_words + 1,)."""
        out = np.zeros(self.n_words + 1, self.index_dtype())
        np.cumsum(self.row_nnz, out=out[1:])
        return out

    def to_csr(self):
        """The matrix as a scipy CSR matrix; runs in memory are released as they are copied.

        Returns
        -------
        scipy.sparse.csr_matrix, shape (n_words, n_words)
        """
        from scipy import sparse

        nnz, idx = self.nnz, self.index_dtype()
        indices = np.empty(nnz, idx)
        data = np.empty(nnz, self.dtype)
        pos = 0
        for i in range(len(self._runs)):
            for target, what in ((indices, "cols"), (data, "data")):
                at = pos
                for piece in self._read(i, what):
                    target[at:at + len(piece)] = piece
                    at += len(piece)
            pos = at
            self._runs[i] = self._runs[i][:3] + (None, None, self._runs[i][5])    # released
        self.bytes_in_memory = 0
        return _csr(sparse, data, indices, self.indptr(), self.n_words)

    def write_npz(self, path, words, counts, settings, inputs=()):
        """Write the counts.npz file atomically, streaming the runs.

        Parameters
        ----------
        path : str or os.PathLike
        words : list of str
        counts : int64 ndarray, shape (n_words,)
        settings : dict
            JSON-able.
        inputs : sequence of str, optional
            The files counted, which ``path`` may not replace.
        """
        idx = self.index_dtype()
        with output_file(path, "wb", inputs, what=COUNTS) as f, \
                zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            _member(zf, "indices", idx, self.nnz, (p.astype(idx, copy=False) for p in self._pieces("cols")))
            _member(zf, "indptr", idx, self.n_words + 1, [self.indptr()])
            _write_small(zf, "format", np.array(b"csr"))
            _write_small(zf, "shape", np.array([self.n_words, self.n_words], np.int64))
            _member(zf, "data", self.dtype, self.nnz, self._pieces("data"))
            write_extras(zf, words, counts, settings)


def _csr(sparse, data, indices, indptr, n_words):
    """A csr_matrix over the arrays, without copying them or checking them again."""
    m = sparse.csr_matrix((n_words, n_words), dtype=data.dtype)
    m.data, m.indices, m.indptr = data, indices, indptr
    return m


def _member(zf, name, dtype, length, pieces):
    """Write the 1-D array ``name.npy`` of ``length`` items given as consecutive pieces."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": (length,)}
    written = 0
    with zf.open(f"{name}.npy", "w", force_zip64=True) as out:
        np.lib.format.write_array_header_1_0(out, header)
        for piece in pieces:
            out.write(np.ascontiguousarray(piece, dtype=dtype).data)
            written += len(piece)
    if written != length:
        raise RuntimeError(f"{name}: wrote {written} of {length} items")


def _write_small(zf, name, array):
    with zf.open(f"{name}.npy", "w") as out:
        np.lib.format.write_array(out, array, allow_pickle=False)


def write_extras(zf, words, counts, settings):
    """Write the ``vocab``, ``counts`` and ``settings`` members of a counts.npz file."""
    _write_small(zf, "vocab", np.array("\n".join(words)))
    _write_small(zf, "counts", np.asarray(counts, np.int64))
    _write_small(zf, "settings", np.array(json.dumps(settings, sort_keys=True)))


def write_matrix_npz(path, matrix, words, counts, settings):
    """Write an in-memory CSR matrix as a counts.npz file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
    matrix : scipy.sparse.csr_matrix
    words : list of str
    counts : int64 ndarray
    settings : dict
    """
    with output_file(path, "wb", what=COUNTS) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in (("indices", matrix.indices), ("indptr", matrix.indptr)):
            _member(zf, name, arr.dtype, len(arr), [arr])
        _write_small(zf, "format", np.array(b"csr"))
        _write_small(zf, "shape", np.array(matrix.shape, np.int64))
        _member(zf, "data", matrix.data.dtype, len(matrix.data), [matrix.data])
        write_extras(zf, words, counts, settings)
