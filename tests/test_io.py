"""Vector file formats: strict readers, writers that refuse what they cannot
store, format detection, the native directory, and gensim compatibility."""
import bz2
import gzip
import json
import logging
import lzma
import re
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors
from numpy.testing import assert_allclose

from embkit import io
from embkit._version import __version__
from embkit.exceptions import EmbkitError, FormatError
from embkit.vectors import KeyedVectors

FIXTURES = Path(__file__).parent / "fixtures" / "vectors"


def fixture(name):
    return str(FIXTURES / name)


def write(path, text):
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def load_error(path, **kwargs):
    with pytest.raises(FormatError) as info:
        io.load(path, **kwargs)
    return info.value


@pytest.fixture
def kv():
    vectors = np.array([[0.1, -0.2, 0.3], [1.5e-7, 2.0, -3.25], [123456.78, 0.0, -0.0],
                        [1.0 / 3.0, 2.0 / 3.0, 1e-38], [-1e30, 7.0, 0.5]], dtype=np.float32)
    # non-ASCII spaces (no-break, ideographic) are ordinary characters to every format
    return KeyedVectors(["the", "café", "日本", "a-b", "x\u00a0y\u3000z"], vectors)


# -- case B01: header and body disagree ----------------------------------------

def test_b01_short_file_is_an_error():
    path = fixture("short.vec")
    err = load_error(path)
    assert str(err) == f"{path}: header declares 4 vectors but the file has 3"
    assert err.lineno is None


@pytest.fixture
def warnings_log(caplog, monkeypatch):
    """caplog with embkit's warnings, even if the CLI stopped them propagating."""
    monkeypatch.setattr(logging.getLogger("embkit"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="embkit.io")
    return caplog


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


# -- case B02: a token with a space --------------------------------------------

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


def test_b02_binary_writer_refuses_the_space(tmp_path):
    kv = io.load(fixture("space_token.vec"))
    out = tmp_path / "out.bin"
    with pytest.raises(EmbkitError, match=r"cannot write token 'new york' \(row 1\)"):
        io.save(kv, out)
    assert list(tmp_path.iterdir()) == []       # nothing half-written


# -- case B18: non-finite values -----------------------------------------------

def test_b18_nan_in_a_loaded_file():
    path = fixture("nan.vec")
    err = load_error(path)
    assert str(err) == f"{path}, line 3: token 'bad' has a non-finite value (nan)"
    assert err.lineno == 3


@pytest.mark.parametrize("name", ["x.vec", "x.bin", "x.embkit"])
def test_b18_writers_refuse_non_finite_values(tmp_path, name):
    kv = KeyedVectors(["good", "bad"], [[0.1, 0.2], [0.3, np.inf]])
    with pytest.raises(EmbkitError, match=r"'bad' \(row 1\) has a non-finite value \(inf\)"):
        io.save(kv, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_b18_non_finite_context_is_refused(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], context=[[np.nan]])
    with pytest.raises(EmbkitError, match="context row of 'x'"):
        io.save(kv, tmp_path / "m.embkit")


# -- word2vec text reader ------------------------------------------------------

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


def test_empty_vocabulary_round_trip(tmp_path):
    kv = KeyedVectors([], np.zeros((0, 3)))
    for name in ("e.vec", "e.bin", "e.embkit"):
        io.save(kv, tmp_path / name)
        back = io.load(tmp_path / name)
        assert len(back) == 0 and back.dim == 3


# -- word2vec binary -----------------------------------------------------------

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


# -- writers -------------------------------------------------------------------

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


@pytest.mark.parametrize("key", ["", "a b", "a\tb", "a\nb", "\rx"])
def test_binary_writer_refuses_whitespace(tmp_path, key):
    kv = KeyedVectors([key], [[1.0]])
    with pytest.raises(EmbkitError, match=re.escape(f"cannot write token {key!r} (row 0)")):
        io.save(kv, tmp_path / "v.bin")


@pytest.mark.parametrize("key", ["a\tb", "a\nb", "a\rb"])
def test_native_writer_refuses_tab_and_newlines(tmp_path, key):
    kv = KeyedVectors([key], [[1.0]])
    with pytest.raises(EmbkitError, match=re.escape(f"cannot write token {key!r} (row 0)")):
        io.save(kv, tmp_path / "m.embkit")
    assert list(tmp_path.iterdir()) == []


def test_writers_replace_existing_files(tmp_path, kv):
    out = tmp_path / "v.vec"
    out.write_text("old content\n")
    io.save(kv, out)
    assert io.load(out).index_to_key == kv.index_to_key


# -- format detection ----------------------------------------------------------

@pytest.mark.parametrize("name, fmt", [
    ("m.embkit", "native"), ("model", "native"), ("a/b/model", "native"),
    ("v.vec", "word2vec"), ("v.txt", "word2vec"), ("V.VEC", "word2vec"),
    ("v.vec.gz", "word2vec"), ("v.txt.bz2", "word2vec"), ("v.vec.xz", "word2vec"),
    ("v.bin", "word2vec-bin"), ("v.bin.gz", "word2vec-bin"),
    ("v.dat", None), ("model.gz", None), ("v.npy", None),
])
def test_format_from_name(name, fmt):
    assert io.format_from_name(name) == fmt


def test_detect_format_of_existing_paths(tmp_path, kv):
    io.save(kv, tmp_path / "model.embkit")
    assert io.detect_format(tmp_path / "model.embkit") == "native"
    # files whose name does not tell are recognised from their content
    io.save(kv, tmp_path / "text", format="word2vec")
    io.save(kv, tmp_path / "binary.dat", format="word2vec-bin")
    write(tmp_path / "glove", "x 1 2\n")
    assert io.detect_format(tmp_path / "text") == "word2vec"
    assert io.detect_format(tmp_path / "binary.dat") == "word2vec-bin"
    assert io.detect_format(tmp_path / "glove") == "word2vec"
    assert np.array_equal(io.load(tmp_path / "binary.dat").vectors, kv.vectors)
    assert io.load(tmp_path / "text").index_to_key == kv.index_to_key


def test_unknown_names_and_formats(tmp_path, kv):
    with pytest.raises(EmbkitError, match="cannot tell the output format"):
        io.save(kv, tmp_path / "v.dat")
    with pytest.raises(EmbkitError, match="cannot tell the format"):
        io.load(tmp_path / "missing.dat")
    with pytest.raises(ValueError, match="unknown format 'glove'"):
        io.load(fixture("short.vec"), format="glove")
    with pytest.raises(ValueError, match="limit"):
        io.load(fixture("short.vec"), limit=-1)
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "missing.vec")


def test_fasttext_bin_is_recognised_and_refused(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes((793712314).to_bytes(4, "little") + (12).to_bytes(4, "little") + b"\0" * 64)
    assert io.detect_format(path) == "fasttext-bin"
    with pytest.raises(EmbkitError, match="fasttext-bin files is not supported"):
        io.load(path)


def test_explicit_format_must_agree_with_the_name(tmp_path, kv):
    # a .vec name holding binary vectors could not be read back by name: refused before writing
    with pytest.raises(EmbkitError, match="stands for word2vec but the format asked for is word2vec-bin"):
        io.save(kv, tmp_path / "weird.vec", format="word2vec-bin")
    assert list(tmp_path.iterdir()) == []
    # a name without an extension takes any format and is recognised by content
    out = tmp_path / "vectors_file"
    io.save(kv, out, format="word2vec-bin")
    assert out.read_bytes()[4:8] == b"the "
    assert np.array_equal(io.load(out).vectors, kv.vectors)


def test_check_output_refuses_inputs_directories_and_unwritable_places(tmp_path, kv):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b\n")
    with pytest.raises(EmbkitError, match="also an input"):
        io.check_output(corpus, inputs=[str(corpus)])
    (tmp_path / "d.vec").mkdir()
    with pytest.raises(EmbkitError, match="is a directory"):
        io.check_output(tmp_path / "d.vec")
    with pytest.raises(EmbkitError, match="cannot tell the output format"):
        io.check_output(tmp_path / "x.npy")
    assert io.check_output(tmp_path / "new" / "sub" / "x.vec") == "word2vec"
    io.save(kv, tmp_path / "new" / "sub" / "x.vec")   # missing parents are created
    assert (tmp_path / "new" / "sub" / "x.vec").exists()


# -- native directory ----------------------------------------------------------

def native_kv():
    return KeyedVectors(["the", "new york", "café"], np.arange(6, dtype=np.float32).reshape(3, 2),
                        counts=[10, 5, 1], context=np.ones((3, 2)) / 4,
                        meta={"params": {"dim": 2, "window": 5},
                              "training": {"epochs": [{"epoch": 1, "loss": 2.5}]}})


def test_native_layout(tmp_path):
    out = tmp_path / "m.embkit"
    io.save(native_kv(), out)
    assert sorted(p.name for p in out.iterdir()) == ["context.npy", "meta.json", "vectors.npy",
                                                      "vocab.tsv"]
    assert (out / "vocab.tsv").read_text(encoding="utf-8") == "the\t10\nnew york\t5\ncafé\t1\n"
    assert np.load(out / "vectors.npy").dtype == np.float32
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == "embkit" and meta["format_version"] == 1
    assert meta["embkit_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["created"])   # as trained models
    assert meta["has_counts"] is True
    assert meta["params"] == {"dim": 2, "window": 5}
    assert [p.name for p in tmp_path.iterdir()] == ["m.embkit"]     # no temporary left


def test_native_round_trip(tmp_path):
    kv = native_kv()
    io.save(kv, tmp_path / "m.embkit")
    back = io.load(tmp_path / "m.embkit")
    assert back.index_to_key == kv.index_to_key
    assert np.array_equal(back.vectors, kv.vectors)
    assert np.array_equal(back.context, kv.context)
    assert back.counts.tolist() == [10, 5, 1] and back.counts.dtype == np.int64
    assert back.meta["params"] == kv.meta["params"]
    assert back.meta["training"] == kv.meta["training"]
    assert back.meta["embkit_version"] == __version__
    assert "format" not in back.meta and "format_version" not in back.meta
    assert "has_counts" not in back.meta


def test_native_keeps_creation_time_and_version_from_meta(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], meta={"created": "2020-01-02T03:04:05+00:00",
                                              "embkit_version": "0.0.9", "format": "ignored"})
    io.save(kv, tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert list(meta)[:5] == ["format", "format_version", "embkit_version", "created",
                              "has_counts"]
    assert meta["format"] == "embkit"
    assert meta["created"] == "2020-01-02T03:04:05+00:00" and meta["embkit_version"] == "0.0.9"


def test_native_without_counts(tmp_path):
    io.save(KeyedVectors(["x", "y"], [[1.0], [2.0]]), tmp_path / "m")
    assert (tmp_path / "m" / "vocab.tsv").read_text() == "x\t0\ny\t0\n"
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["has_counts"] is False
    back = io.load(tmp_path / "m")
    assert back.counts is None and back.context is None


def test_native_mmap_and_limit(tmp_path, warnings_log):
    io.save(native_kv(), tmp_path / "m.embkit")
    kv = io.load(tmp_path / "m.embkit", mmap="r")
    assert isinstance(kv.vectors, np.memmap) and isinstance(kv.context, np.memmap)
    assert kv.vectors.tolist() == [[0, 1], [2, 3], [4, 5]]
    kv = io.load(tmp_path / "m.embkit", limit=2, mmap="r")
    assert kv.index_to_key == ["the", "new york"] and kv.counts.tolist() == [10, 5]
    assert kv.context.shape == (2, 2)
    assert "declares 3 vectors; read only the first 2" in warnings_log.text


def test_native_meta_with_numpy_values(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], meta={"loss": np.float32(0.5), "sizes": np.arange(2)})
    io.save(kv, tmp_path / "m")
    assert io.load(tmp_path / "m").meta["sizes"] == [0, 1]
    kv.meta["bad"] = object()
    with pytest.raises(EmbkitError, match="cannot write meta.json"):
        io.save(kv, tmp_path / "m2")


def edit_meta(path, **changes):
    meta = json.loads((path / "meta.json").read_text())
    meta.update(changes)
    (path / "meta.json").write_text(json.dumps(meta))


def test_native_reader_errors(tmp_path):
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    edit_meta(m, format_version=2)
    assert "format_version 2 (written by embkit" in str(load_error(m))
    assert "upgrade embkit" in str(load_error(m))
    edit_meta(m, format_version=1, format="other")
    assert "format is 'other', expected 'embkit'" in str(load_error(m))
    edit_meta(m, format="embkit")
    (m / "vocab.tsv").write_text("the\t10\nnew york\t5\n", encoding="utf-8")
    assert str(load_error(m)) == f"{m}: vectors.npy has 3 rows but vocab.tsv has 2 words"
    (m / "vocab.tsv").write_text("the\t10\nthe\t5\nx\t1\n", encoding="utf-8")
    assert "line 2: word 'the' appears twice (first on line 1)" in str(load_error(m))
    (m / "meta.json").unlink()
    assert "not an embkit model: meta.json is missing" in str(load_error(m))
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "absent.embkit")


def test_native_writer_replaces_a_model_but_not_other_directories(tmp_path):
    io.save(native_kv(), tmp_path / "m")
    io.save(KeyedVectors(["x"], [[1.0]]), tmp_path / "m")
    assert io.load(tmp_path / "m").index_to_key == ["x"]
    precious = tmp_path / "data"
    precious.mkdir()
    (precious / "keep.txt").write_text("important")
    with pytest.raises(EmbkitError, match="refusing to replace directory"):
        io.save(native_kv(), precious)
    assert (precious / "keep.txt").read_text() == "important"
    (tmp_path / "file").write_text("x")
    with pytest.raises(EmbkitError, match="exists and is not a directory"):
        io.save(native_kv(), tmp_path / "file", format="native")


# -- gensim compatibility ------------------------------------------------------

@pytest.mark.parametrize("name, binary", [("v.vec", False), ("v.bin", True)])
def test_gensim_reads_what_we_write(tmp_path, kv, name, binary):
    io.save(kv, tmp_path / name)
    g = GensimKeyedVectors.load_word2vec_format(str(tmp_path / name), binary=binary)
    assert g.index_to_key == kv.index_to_key
    assert_allclose(g.vectors, kv.vectors, rtol=1e-6)
    assert np.array_equal(g.vectors, kv.vectors)


@pytest.mark.parametrize("name, binary", [("g.vec", False), ("g.bin", True)])
def test_we_read_what_gensim_writes(tmp_path, kv, name, binary):
    g = GensimKeyedVectors(kv.dim)
    g.add_vectors(kv.index_to_key, kv.vectors)
    g.save_word2vec_format(str(tmp_path / name), binary=binary)
    back = io.load(tmp_path / name)
    assert back.index_to_key == kv.index_to_key
    assert_allclose(back.vectors, kv.vectors, rtol=1e-6)
    assert np.array_equal(back.vectors, kv.vectors)


def test_misnamed_files_get_a_hint_about_the_other_format(tmp_path):
    kv = KeyedVectors(["the", "of", "and"], np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5)
    io.save(kv, tmp_path / "real.bin")
    io.save(kv, tmp_path / "real.vec")
    (tmp_path / "binary.vec").write_bytes((tmp_path / "real.bin").read_bytes())
    (tmp_path / "text.bin").write_bytes((tmp_path / "real.vec").read_bytes())
    with pytest.raises(FormatError, match=r"binary data: if it is word2vec binary, name it \.bin"):
        io.load(tmp_path / "binary.vec")
    with pytest.raises(FormatError, match=r"looks like text: if it is word2vec text, name it \.vec or \.txt"):
        io.load(tmp_path / "text.bin")
    np.testing.assert_array_equal(io.load(tmp_path / "text.bin", format="word2vec").vectors, kv.vectors)
    # a malformed file of the right kind gets no such hint, nor does text in another encoding
    (tmp_path / "bad.vec").write_text("2 3\nalpha 0.1 0.2\nbeta 1 2 3\n")
    (tmp_path / "latin1.vec").write_bytes(b"1 2\ncaf\xe9 1 2\n")
    for name in ("bad.vec", "latin1.vec"):
        with pytest.raises(FormatError) as err:
            io.load(tmp_path / name)
        assert "name it" not in str(err.value)
