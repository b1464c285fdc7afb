"""word2vec text: the strict reader (headerless GloVe files too), the writer and its token checks."""
import bz2
import gzip
import lzma

import numpy as np
import pytest
from numpy.testing import assert_allclose

from embkit import io
from embkit.exceptions import EmbkitError, FormatError
from embkit.vectors import KeyedVectors

from ._helpers import fixture, load_error, write

# -- case B01: header and body disagree ----------------------------------------

def test_b01_short_file_is_an_error():
    path = fixture("short.vec")
    err = load_error(path)
    assert str(err) == f"{path}: header declares 4 vectors but the file has 3"
    assert err.lineno is None


def test_b01_short_file_loads_with_limit_and_warns(warnings_log):
    kv = io.load(fixture("short.vec"), limit=3)
    assert kv.index_to_key == ["alpha", "beta", "gamma"]
    assert_allclose(kv.vectors, [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], rtol=1e-6)
    assert kv["beta"].tolist() == pytest.approx([0.4, 0.5, 0.6])
    assert "short.vec: the file declares 4 vectors; read only the first 3" in warnings_log.text


def test_b01_limit_smaller_than_the_file():
    kv = io.load(fixture("short.vec"), limit=1)
    assert kv.index_to_key == ["alpha"]
    err = load_error(fixture("short.vec"), limit=5)     # the limit does not excuse a short file
    assert "header declares 4 vectors but the file has 3" in str(err)


def test_b01_long_file_is_an_error():
    path = fixture("long.vec")
    err = load_error(path)
    assert str(err) == (f"{path}, line 4: rows continue after the 2 declared in the header "
                        f"(first extra row: 'gamma')")
    assert err.lineno == 4
    # an explicit limit reads only the rows asked for
    assert io.load(path, limit=2).index_to_key == ["alpha", "beta"]


def test_b01_row_with_missing_values():
    path = fixture("bad_dim.vec")
    err = load_error(path)
    assert str(err) == f"{path}, line 3: token 'beta': expected 3 values, found 2"
    assert err.lineno == 3


def test_b02_reader_takes_the_last_dim_fields():
    kv = io.load(fixture("space_token.vec"))
    assert kv.index_to_key == ["hello", "new york", "is"]
    assert_allclose(kv["new york"], [0.3, 0.4], rtol=1e-6)
    assert_allclose(kv["is"], [0.5, 0.6], rtol=1e-6)


def test_b02_text_writer_round_trips_the_space(tmp_path):
    kv = io.load(fixture("space_token.vec"))
    out = tmp_path / "out.vec"
    io.save(kv, out)
    back = io.load(out)
    assert back.index_to_key == ["hello", "new york", "is"]
    assert np.array_equal(back.vectors, kv.vectors)


def test_b18_nan_in_a_loaded_file():
    path = fixture("nan.vec")
    err = load_error(path)
    assert str(err) == f"{path}, line 3: token 'bad' has a non-finite value (nan)"
    assert err.lineno == 3


def test_text_reader_values_and_order(tmp_path):
    path = write(tmp_path / "v.vec", "3 2\nb 1 2\na -0.5 1e-3\nc 3.25 +4\n")
    kv = io.load(path)
    assert kv.index_to_key == ["b", "a", "c"]
    assert kv.vectors.tolist() == [[1.0, 2.0], [-0.5, np.float32(1e-3)], [3.25, 4.0]]
    assert kv.counts is None and kv.meta == {}


def test_text_reader_tolerates_trailing_spaces_crlf_bom_and_blank_lines(tmp_path):
    # fastText writes a space after the last value; some files have CRLF or a BOM
    path = write(tmp_path / "v.vec", "\ufeff2 2\r\nx 0.5 0.25 \r\n\ny 1 2\r\n\n")
    kv = io.load(path)
    assert kv.index_to_key == ["x", "y"]
    assert kv.vectors.tolist() == [[0.5, 0.25], [1.0, 2.0]]


def test_headerless_glove_text(tmp_path):
    path = write(tmp_path / "glove.txt", "the 0.5 -1\nof 2 0.25\nand 1 1\n")
    kv = io.load(path)
    assert kv.index_to_key == ["the", "of", "and"]
    assert kv.vectors.tolist() == [[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]]
    assert io.load(path, limit=2).index_to_key == ["the", "of"]


def test_header_with_three_fields_is_an_error_on_line_1(tmp_path):
    path = write(tmp_path / "v.vec", "2 3 1\nalpha 0.1 0.2 0.3\nbeta 1 2 3\n")
    with pytest.raises(FormatError, match=r"line 1: expected a header 'count dim' \(two integers\), "
                                          r"found 3 fields: '2 3 1'"):
        io.load(path)


def test_glove_rows_of_integers_are_still_rows(tmp_path):
    # an all-integer first row is a GloVe row when the next rows have its shape
    path = write(tmp_path / "g.txt", "7 1 2\n8 3 4\n")
    kv = io.load(path)
    assert kv.index_to_key == ["7", "8"]
    assert kv.vectors.tolist() == [[1, 2], [3, 4]]
    assert io.load(write(tmp_path / "one.txt", "7 1 2\n")).index_to_key == ["7"]


@pytest.mark.parametrize("opener, suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"),
                                            (lzma.open, ".xz")])
def test_compressed_text(tmp_path, opener, suffix):
    path = tmp_path / f"v.vec{suffix}"
    with opener(path, "wb") as f:
        f.write("2 2\nx 1 2\ny 3 4\n".encode())
    kv = io.load(path)
    assert kv.index_to_key == ["x", "y"]
    assert kv.vectors.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("body, message", [
    ("2 3\nalpha 0.1 0.2 0.3 0.4\nbeta 1 2 3\n",
     "line 2: token 'alpha': expected 3 values, found 4"),
    ("2 3\nalpha 0.1 0.2 0.3\nbeta 0.4 x 0.6\n", "line 3: token 'beta': value 'x' is not a number"),
    ("2 3\nalpha 0.1 0.2 0.3\nbeta\n", "line 3: token 'beta': expected 3 values, found 0"),
    ("2 2\nnew york 0.1 x\nb 1 2\n", "line 2: token 'new york': value 'x' is not a number"),
    ("3 2\nx 1 2\ny 3 4\nx 5 6\n", "line 4: token 'x' appears twice (first on line 2)"),
    ("2 2\nx 1 2\ny 1e39 4\n", "line 3: token 'y' has a non-finite value (inf)"),
    ("2 2\nx 1 2\ny -inf 4\n", "line 3: token 'y' has a non-finite value (-inf)"),
    ("2 0\n", "line 1: header declares 2 vectors of dimension 0"),
    ("", "line 1: expected a header 'count dim' or a first row 'token value ...', found nothing"),
    ("\n", "line 1: expected a header 'count dim' or a first row 'token value ...', found an "
           "empty line"),
    ("justoneword\n", "line 1: expected a header 'count dim' or a row 'token value ...'"),
])
def test_text_reader_errors(tmp_path, body, message):
    path = write(tmp_path / "bad.vec", body)
    err = load_error(path)
    assert str(err).startswith(f"{path}, {message}")


def test_text_reader_invalid_utf8(tmp_path):
    path = write(tmp_path / "bad.vec", b"1 2\n\xff\xfe 1 2\n")
    err = load_error(path)
    assert err.lineno == 2 and "not valid UTF-8" in str(err)
    kv = io.load(path, unicode_errors="replace")
    assert kv.index_to_key == ["\ufffd\ufffd"]


def test_text_writer_output_and_exact_round_trip(tmp_path, kv):
    out = tmp_path / "v.vec"
    io.save(kv, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "5 3"
    assert lines[1] == "the 0.100000001 -0.200000003 0.300000012"
    assert [line.split(" ")[0] for line in lines[1:]] == kv.index_to_key
    back = io.load(out)
    assert back.index_to_key == kv.index_to_key
    assert np.array_equal(back.vectors, kv.vectors)


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_compressed_text_round_trip(tmp_path, kv, suffix):
    out = tmp_path / f"v.vec{suffix}"
    io.save(kv, out)
    back = io.load(out)
    assert np.array_equal(back.vectors, kv.vectors) and back.index_to_key == kv.index_to_key


@pytest.mark.parametrize("key, why", [
    ("", "it is empty"),
    (" lead", "starts or ends with a space"),
    ("trail ", "starts or ends with a space"),
    ("tab\there", "contains a tab"),
    ("new\nline", "contains a newline"),
    ("car\rriage", "contains a carriage return"),
    ("two  spaces", "two spaces in a row"),
    ("route 66", "words after its first are numbers"),
])
def test_text_writer_refuses_tokens_it_cannot_read_back(tmp_path, key, why):
    kv = KeyedVectors(["ok", key], [[1.0], [2.0]])
    with pytest.raises(EmbkitError) as info:
        io.save(kv, tmp_path / "v.vec")
    assert f"cannot write token {key!r} (row 1)" in str(info.value)
    assert why in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_has_header(tmp_path):
    from embkit.formats.word2vec_text import has_header

    assert has_header(write(tmp_path / "a.vec", "2 2\nx 1 2\ny 3 4\n")) is True
    assert has_header(write(tmp_path / "b.vec", "\ufeff1 2\r\nx 1 2\r\n")) is True
    assert has_header(write(tmp_path / "glove.txt", "x 1 2\ny 3 4\n")) is False
    with gzip.open(tmp_path / "c.vec.gz", "wb") as f:
        f.write(b"x 1 2\n")
    assert has_header(tmp_path / "c.vec.gz") is False
    with pytest.raises(FileNotFoundError):
        has_header(tmp_path / "absent.vec")
