"""word2vec binary: the strict reader (rows named by number and byte offset) and the writer."""
import re

import numpy as np
import pytest

from embkit import io
from embkit.exceptions import EmbkitError
from embkit.vectors import KeyedVectors

from ._helpers import fixture, load_error, write


def test_b02_binary_writer_refuses_the_space(tmp_path):
    kv = io.load(fixture("space_token.vec"))
    out = tmp_path / "out.bin"
    with pytest.raises(EmbkitError, match=r"cannot write token 'new york' \(row 1\)"):
        io.save(kv, out)
    assert list(tmp_path.iterdir()) == []       # nothing half-written


def binary_file(path, header, rows, newline=True):
    data = header.encode()
    for key, values in rows:
        data += key.encode() + b" " + np.asarray(values, dtype="<f4").tobytes()
        data += b"\n" if newline else b""
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("newline", [True, False])
def test_binary_reader_with_and_without_newlines(tmp_path, newline):
    path = binary_file(tmp_path / "v.bin", "2 2\n", [("x", [1, 2]), ("y", [0.5, -4])], newline)
    kv = io.load(path)
    assert kv.index_to_key == ["x", "y"]
    assert kv.vectors.tolist() == [[1, 2], [0.5, -4]]


def test_binary_round_trip_is_exact(tmp_path, kv):
    out = tmp_path / "v.bin"
    io.save(kv, out)
    head = out.read_bytes()[:4 + 4 + 12 + 1]
    assert head == b"5 3\nthe " + kv.vectors[0].astype("<f4").tobytes() + b"\n"
    back = io.load(out)
    assert back.index_to_key == kv.index_to_key
    assert np.array_equal(back.vectors, kv.vectors)


def test_binary_reader_errors(tmp_path):
    # header "2 2\n" is 4 bytes; row 1 "good " + 8 bytes + "\n" = 14, so row 2 is at byte 18
    path = binary_file(tmp_path / "nan.bin", "2 2\n", [("good", [0.1, 0.2]), ("bad", [np.nan, 1])])
    assert str(load_error(path)) == f"{path}: row 2 (byte 18): token 'bad' has a non-finite value (nan)"

    path = binary_file(tmp_path / "short.bin", "3 2\n", [("x", [1, 2]), ("y", [3, 4])])
    assert str(load_error(path)) == f"{path}: header declares 3 vectors but the file has 2"
    assert io.load(path, limit=2).index_to_key == ["x", "y"]

    path = binary_file(tmp_path / "long.bin", "1 2\n", [("x", [1, 2]), ("extra", [3, 4])])
    assert str(load_error(path)) == (f"{path}: data continues after the 1 vectors declared in "
                                     f"the header (byte 15, first extra token: 'extra')")

    path = tmp_path / "cut.bin"
    path.write_bytes(b"2 2\nx " + np.array([1, 2], "<f4").tobytes() + b"\ny \x00\x00\x80")
    assert str(load_error(path)) == (f"{path}: row 2 (byte 15): token 'y' is followed by 3 of "
                                     f"the 8 bytes of its 2 values (file truncated?)")

    path = binary_file(tmp_path / "dup.bin", "2 1\n", [("x", [1]), ("x", [2])])
    assert "row 2 (byte 11): token 'x' appears twice (first in row 1)" in str(load_error(path))

    path = write(tmp_path / "nohead.bin", b"x " + np.array([1], "<f4").tobytes())
    assert str(load_error(path)).startswith(f"{path}, line 1: expected a header line 'count dim'")


def test_compressed_binary_round_trip(tmp_path, kv):
    out = tmp_path / "v.bin.gz"
    io.save(kv, out)
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    back = io.load(out)
    assert np.array_equal(back.vectors, kv.vectors) and back.index_to_key == kv.index_to_key


@pytest.mark.parametrize("key", ["", "a b", "a\tb", "a\nb", "\rx"])
def test_binary_writer_refuses_whitespace(tmp_path, key):
    kv = KeyedVectors([key], [[1.0]])
    with pytest.raises(EmbkitError, match=re.escape(f"cannot write token {key!r} (row 0)")):
        io.save(kv, tmp_path / "v.bin")
