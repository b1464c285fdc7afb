"""What the fuzz tests share: byte mutations, generated vectors, and the check that a call either
succeeds or raises one of embkit's documented errors, without warnings or outsized allocations."""
import bz2
import contextlib
import gzip
import lzma
import shutil
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from embkit.exceptions import EmbkitError, MemoryBudgetError

#: Allocations a reader may make whatever its input (buffers, a first 1 MiB block of rows,
#: the 8 MiB dictionary of xz data, ...).
BASE_BYTES = 16 << 20
#: Allocations a reader may make per byte of input (float32 rows, Python strings and dicts of short rows).
PER_BYTE = 64

#: Byte strings that broke readers before, or sit at the edges of what they parse.
SPICE = [
    b"\xef\xbb\xbf", b"\n", b"\r", b"\r\n", b"\t", b" ", b"  ", b"\0", b"\x0b", b"\x0c", b"\x1c", b"\x85",
    b"nan", b"-inf", b"inf", b"1_0", b"1e39", b"-1e39", b"1e308", b"0x10", b"-", b"+", b".", b"e5",
    b"99999999999999999999", b"9223372036854775808", b"18446744073709551616", b"-1", b"0", b"00",
    b"1" * 4301, b"\xff", b"\xc3", b"\xe2\x80", "é".encode(), "日本".encode(), b"\xed\xa0\x80",
    b"PK\x03\x04", b"\x93NUMPY", b"\x1f\x8b", b"BZh91AY&SY", b"\xfd7zXZ\x00", b"#", b":", b": s\n",
    b"[" * 2000, b"{", b"}", b'"', b"NaN", b"Infinity", b"1" * 5000, b"\\u0000", b"\\ud800",
]

COMPRESSIONS = {"": None, ".gz": gzip, ".bz2": bz2, ".xz": lzma}


@st.composite
def mutated(draw, data, max_ops=4):
    """``data`` after up to ``max_ops`` random edits: bytes changed, inserted (random or from
    :data:`SPICE`), deleted, duplicated, or the file cut short."""
    data = bytearray(data)
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(["flip", "insert", "spice", "delete", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "spice":
            data[at:at] = draw(st.sampled_from(SPICE))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        elif op == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


def keys_for(problem, max_size=6):
    """A strategy of lists of distinct keys that ``problem`` (a format's token_problem) accepts."""
    key = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6).filter(
        lambda k: problem(k) is None)
    return st.lists(key, min_size=0, max_size=max_size, unique=True)


@st.composite
def vector_data(draw, problem, max_rows=6, max_dim=4):
    """(keys, float32 matrix) that a format whose token_problem is ``problem`` can hold."""
    keys = draw(keys_for(problem, max_rows))
    dim = draw(st.integers(1, max_dim))
    values = st.floats(width=32, allow_nan=False, allow_infinity=False)
    return keys, draw(hnp.arrays(np.float32, (len(keys), dim), elements=values))


def compress(data, suffix):
    """``data`` compressed as the compression suffix ``suffix`` says ('' leaves it as it is)."""
    module = COMPRESSIONS[suffix]
    return data if module is None else module.compress(data)


@contextlib.contextmanager
def workdir():
    """A fresh temporary directory (fixtures like tmp_path are not reset between hypothesis examples)."""
    path = Path(tempfile.mkdtemp(prefix="embkit-fuzz-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def documented(call, size):
    """Run ``call()``: its result, or the EmbkitError it raised (any other exception propagates).

    Fails when the call warns (a numpy RuntimeWarning leaking to stderr), when
    it allocates more than ``size`` bytes of input justify, or when it reports
    running out of memory (no small input may need that much).
    """
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = call()
            except EmbkitError as exc:
                result = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not [str(w.message) for w in caught], "warnings"
    assert peak <= BASE_BYTES + PER_BYTE * size, f"allocated {peak} bytes for {size} bytes of input"
    assert not isinstance(result, MemoryBudgetError), result
    if isinstance(result, EmbkitError):
        message = str(result)
        assert message and "\n" not in message and "\r" not in message, message
    return result
