"""Hostile input to the vector readers (what fuzzing found), each fault's quoted input kept as a test.

Sizes in a header are checked against the file before anything is allocated;
numbers too long for Python's int parser, JSON too deep, archives in place
of ``.npy`` files and dimension 0 are FormatErrors naming the file; damaged
compressed files too, in every reader and command.
"""
import bz2
import gzip
import io as _io
import json
import lzma
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.lib import format as npy_format

import embkit
from embkit import io
from embkit.exceptions import EmbkitError, FormatError
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

from ._helpers import load_error, write


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result, *fragments):
    assert result.exit_code == 1, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embkit: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def model_dir(tmp_path, name="m.embkit", n=3, dim=4, context=False):
    path = tmp_path / name
    vectors = np.arange(n * dim, dtype=np.float32).reshape(n, dim)
    io.save(KeyedVectors([f"w{i}" for i in range(n)], vectors, counts=np.arange(n),
                         context=vectors + 1 if context else None), path)
    return path


def npy_bytes(shape, data=b"", descr="<f4"):
    out = _io.BytesIO()
    npy_format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue() + data


# -- 1. declared sizes are checked before allocating ------------------------------------------------

@pytest.mark.parametrize("name", ["d.vec", "d.bin"])
def test_dimension_of_10_to_12_in_b_1_1000000000000_is_refused_before_allocating(tmp_path, name):
    """Issue input ``b"1 1000000000000\\na 1\\n"``: allocated 3.64 TiB first (.vec and .bin)."""
    path = write(tmp_path / name, b"1 1000000000000\na 1\n")
    err = load_error(path)
    assert (err.path, err.lineno) == (path, 1)
    assert "dimension 1000000000000" in str(err)
    one_line_error(run("info", path), name, "line 1", "dimension 1000000000000")


def test_dimension_of_10_to_29_is_a_format_error_not_maximum_allowed_dimension_exceeded(tmp_path):
    """A dimension of 10^29 raised numpy's ``ValueError: Maximum allowed dimension exceeded``."""
    path = write(tmp_path / "d.vec", b"1 100000000000000000000000000000\na 1\n")
    assert "dimension 10^19 or more" in str(load_error(path))


@pytest.mark.parametrize("name, body", [
    ("many.vec", b"1000000000000 2\na 1 2\n"),
    ("many.bin", b"1000000000000 2\na " + np.float32([1, 2]).tobytes() + b"\n"),
    ("many.vec.gz", gzip.compress(b"1000000000000 2\na 1 2\n")),
    ("many.bin.xz", lzma.compress(b"1000000000000 2\na " + np.float32([1, 2]).tobytes())),
])
def test_a_count_the_file_cannot_hold_reads_what_is_there_and_says_so(tmp_path, name, body):
    """A count of 10^12 with one row: no matrix of 10^12 rows; the error names the rows found."""
    path = write(tmp_path / name, body)
    assert "header declares 1000000000000 vectors but the file has 1" in str(load_error(path))
    assert len(io.load(path, limit=1)) == 1


def test_zero_rows_of_the_largest_dimension_round_trip_without_allocating(tmp_path):
    """``0 2147483647``: an empty model; writing it back formatted a template of 2^31 values."""
    path = write(tmp_path / "e.vec", b"0 2147483647\n")
    kv = io.load(path)
    assert kv.vectors.shape == (0, 2**31 - 1)
    io.save(kv, tmp_path / "again.vec")
    assert (tmp_path / "again.vec").read_bytes() == b"0 2147483647\n"


def test_a_binary_row_wider_than_the_file_reads_only_what_is_there(tmp_path):
    """``1 2147483647`` and a 4-byte row: the reader asked the stream for 8 GiB at once."""
    path = write(tmp_path / "w.bin", b"1 2147483647\n0 \x00\x00\x00\x00\n")
    assert "followed by 5 of the 8589934588 bytes" in str(load_error(path))


@pytest.mark.parametrize("mmap", [None, "r"])
def test_npy_header_shape_10_to_12_by_4_with_48_bytes_of_data(tmp_path, mmap):
    """Issue input: ``vectors.npy`` saying ``shape (10**12, 4)`` with 48 bytes made load raise
    ``MemoryError: Unable to allocate 14.6 TiB``."""
    model = model_dir(tmp_path)
    (model / "vectors.npy").write_bytes(npy_bytes((10**12, 4), b"\0" * 48))
    with pytest.raises(FormatError) as info:
        io.load(model, mmap=mmap)
    assert info.value.path == str(model / "vectors.npy")
    assert "shape (1000000000000, 4)" in str(info.value) and "48 bytes" in str(info.value)


@pytest.mark.parametrize("shape, data", [((3, 4), b"\0" * 47), ((3, 4), b"\0" * 49), ((2, 4), b"\0" * 48)])
def test_npy_data_must_match_its_header_exactly(tmp_path, shape, data):
    model = model_dir(tmp_path)
    (model / "vectors.npy").write_bytes(npy_bytes(shape, data))
    with pytest.raises(FormatError, match="vectors.npy"):
        io.load(model)


# -- 2. numbers too long for Python's int parser ----------------------------------------------------

def test_header_count_of_4301_digits(tmp_path):
    """Issue input: a text header count of 4,301 digits raised ``ValueError: Exceeds the limit
    (4300 digits) for integer string conversion``."""
    path = write(tmp_path / "h.vec", b"1" * 4301 + b" 2\na 1 2\n")
    err = load_error(path)
    assert err.lineno == 1 and "10^19 or more vectors" in str(err)
    bin_path = write(tmp_path / "h.bin", b"1" * 4301 + b" 2\n")
    assert load_error(bin_path).lineno == 1


def test_meta_json_with_a_5000_digit_number(tmp_path):
    """Issue input: a ``meta.json`` holding a 5,000-digit number."""
    model = model_dir(tmp_path)
    (model / "meta.json").write_text('{"format": "embkit", "format_version": 1, "x": ' + "1" * 5000 + "}")
    with pytest.raises(FormatError) as info:
        io.load(model)
    assert info.value.path == str(model / "meta.json") and "4300 digits" in str(info.value)


@pytest.mark.parametrize("count", [str(2**63), "9" * 30, "1" * 5000])
def test_vocab_tsv_count_of_2_to_63_or_more(tmp_path, count):
    """Issue input: a ``vocab.tsv`` count >= 2^63 raised ``OverflowError: Python int too large to
    convert to C long``."""
    model = model_dir(tmp_path)
    (model / "vocab.tsv").write_text(f"w0\t1\nw1\t{count}\nw2\t3\n")
    with pytest.raises(FormatError) as info:
        io.load(model)
    assert (info.value.path, info.value.lineno) == (str(model / "vocab.tsv"), 2)
    assert "too large" in str(info.value) and len(str(info.value)) < 300


def test_vocab_tsv_count_of_2_to_63_minus_1_is_fine(tmp_path):
    model = model_dir(tmp_path)
    (model / "vocab.tsv").write_text(f"w0\t1\nw1\t{2**63 - 1}\nw2\t3\n")
    assert io.load(model).counts[1] == 2**63 - 1


# -- 3. meta.json that is not sane JSON ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["[" * 100_000, '{"format": "embkit", "format_version": 1, "x": '
                                  + "[" * 150 + "]" * 150 + "}"])
def test_meta_json_of_100000_nested_brackets(tmp_path, text):
    """Issue input: 100,000 nested ``[`` in meta.json raised ``RecursionError``."""
    model = model_dir(tmp_path)
    (model / "meta.json").write_text(text)
    with pytest.raises(FormatError) as info:
        io.load(model)
    assert info.value.path == str(model / "meta.json")


def test_meta_json_that_is_not_utf8_names_its_line(tmp_path):
    model = model_dir(tmp_path)
    (model / "meta.json").write_bytes(b'{"format": "embkit",\n"x": "\xff"}')
    with pytest.raises(FormatError, match=r"meta.json, line 2: not valid UTF-8"):
        io.load(model)


# -- 4. array files that are not plain .npy files ----------------------------------------------------

def _npz():
    out = _io.BytesIO()
    np.savez(out, vectors=np.ones((3, 4), np.float32))
    return out.getvalue()


@pytest.mark.parametrize("name", ["vectors.npy", "context.npy"])
@pytest.mark.parametrize("data", [_npz(), b"PK\x03\x04"], ids=["npz", "PK\\x03\\x04"])
def test_a_zip_archive_as_npy(tmp_path, name, data):
    """Issue input: a ``vectors.npy`` that is an ``.npz`` (``AttributeError: 'NpzFile' object has no
    attribute 'ndim'``) or the 4 bytes ``PK\\x03\\x04`` (``zipfile.BadZipFile``)."""
    model = model_dir(tmp_path, context=True)
    (model / name).write_bytes(data)
    with pytest.raises(FormatError, match="a zip archive") as info:
        io.load(model)
    assert info.value.path == str(model / name)


@pytest.mark.parametrize("shape, descr, message", [
    ((3, 4), "<f8", "float32"), ((3, 4), "|O", "float32"), ((12,), "<f4", "2-D"), ((3, 4, 1), "<f4", "2-D"),
    ((3, 5), "<f4", "shape"), ((-3, 4), "<f4", "rows >= 0"), ((2**63, 2**63), "<f4", "dimension from 1"),
])
def test_every_array_file_is_checked_for_dtype_rank_and_shape(tmp_path, shape, descr, message):
    model = model_dir(tmp_path, context=True)
    (model / "context.npy").write_bytes(npy_bytes(shape, b"\0" * 48, descr))
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no numpy RuntimeWarning for absurd headers either
        with pytest.raises(FormatError, match=message):
            io.load(model)


@pytest.mark.parametrize("header", [b"\x93NUMPY\x01\x00\x08\x00{'descr'\n", b"\x93NUMPY\x03\x00\x00\x00\x00\x00",
                                    b"\x93NUMPY\x01\x00v\x00\x00'descr': '<f4', 'fortran_order': False, "
                                    b"'shape': (0, 1), }" + b" " * 60 + b"\n"])
def test_npy_header_that_numpy_cannot_parse(tmp_path, header):
    model = model_dir(tmp_path)
    (model / "vectors.npy").write_bytes(header)
    with pytest.raises(FormatError, match="vectors.npy: not a readable .npy array"):
        io.load(model)


# -- 5. dimension 0 --------------------------------------------------------------------------------

def test_model_of_shape_3_by_0_is_refused_and_convert_writes_nothing(tmp_path):
    """Issue input: a native model whose ``vectors.npy`` has shape (3, 0) loaded (``dim: 0``) and
    ``embkit convert M.embkit d0.vec`` wrote ``3 0`` rows embkit then refused to read."""
    model = model_dir(tmp_path, "M.embkit")
    np.save(model / "vectors.npy", np.zeros((3, 0), np.float32))
    with pytest.raises(FormatError, match="shape \\(3, 0\\)"):
        io.load(model)
    one_line_error(run("info", model), "vectors.npy", "(3, 0)")
    one_line_error(run("convert", model, tmp_path / "d0.vec"), "vectors.npy")
    assert not (tmp_path / "d0.vec").exists()


@pytest.mark.parametrize("name", ["d0.vec", "d0.bin", "d0.embkit"])
def test_vectors_of_dimension_0_are_never_written(tmp_path, name):
    kv = KeyedVectors(["a", "b", "c"], np.zeros((3, 0), np.float32))
    with pytest.raises(EmbkitError, match="dimension 0"):
        io.save(kv, tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name, body", [("z.vec", b"3 0\na\nb\nc\n"), ("z.bin", b"3 0\na b c "),
                                        ("z.vec", b"a\nb\n")])
def test_files_of_dimension_0_are_refused_on_line_1(tmp_path, name, body):
    assert load_error(write(tmp_path / name, body)).lineno == 1


# -- 10. a newline in a path -------------------------------------------------------------------------

def test_a_newline_in_a_path_keeps_the_error_on_one_line(tmp_path):
    """Issue input: ``embkit info $'nl/x\\ny.vec'`` split the one-line error over two lines."""
    (tmp_path / "nl").mkdir()
    path = tmp_path / "nl" / "x\ny.vec"
    path.write_bytes(b"2 2\na 1 2\n")
    err = load_error(path)
    assert "\n" not in str(err) and repr(str(path)) in str(err)
    line = one_line_error(run("info", path), "x\\ny.vec")
    assert "\n" not in line
    missing = one_line_error(run("info", tmp_path / "nl" / "gone\nz.vec"), "gone\\nz.vec")
    assert "no such file" in missing


# -- 11. minor ---------------------------------------------------------------------------------------

def test_info_json_prints_null_for_a_nan_in_meta_json(tmp_path):
    """Issue input: ``info --json`` printed ``NaN`` (not JSON) when meta.json held NaN."""
    model = model_dir(tmp_path)
    meta = json.loads((model / "meta.json").read_text())
    meta["note"] = {"loss": float("nan"), "values": [1.5, float("inf"), float("-inf")]}
    (model / "meta.json").write_text(json.dumps(meta))
    result = run("info", "--json", model)
    assert result.exit_code == 0, result.output

    def strict(constant):
        raise ValueError(constant)

    assert json.loads(result.stdout, parse_constant=strict)["meta"]["note"] == {"loss": None,
                                                                               "values": [1.5, None, None]}


def test_nan_in_meta_json_is_read_as_null_so_the_model_saves_again(tmp_path):
    model = model_dir(tmp_path)
    meta = json.loads((model / "meta.json").read_text())
    meta["note"] = [float("nan"), float("-inf")]
    (model / "meta.json").write_text(json.dumps(meta))
    kv = io.load(model)
    assert kv.meta["note"] == [None, None]
    io.save(kv, tmp_path / "again.embkit")
    assert io.load(tmp_path / "again.embkit").meta["note"] == [None, None]


@pytest.mark.parametrize("value", ["1_0", "1_000.5", "-1_0e1"])
def test_a_value_written_1_0_is_not_a_number(tmp_path, value):
    """Issue input: a vector value ``1_0`` was read as 10.0 (Python's float() takes underscores)."""
    path = write(tmp_path / "u.vec", f"1 2\nword_with_underscores {value} 2\n")
    err = load_error(path)
    assert err.lineno == 2 and f"value {value!r} is not a number" in str(err)
    assert io.load(write(tmp_path / "ok.vec", "1 2\nnew_york 1 2\n")).index_to_key == ["new_york"]


# -- B1. damaged compressed vector files ---------------------------------------------------------------

MODULES = {".gz": gzip, ".bz2": bz2, ".xz": lzma}


def _vectors_bytes(tmp_path, suffix):
    rng = np.random.default_rng(0)
    kv = KeyedVectors([f"w{i}" for i in range(2000)], rng.standard_normal((2000, 16)).astype(np.float32))
    io.save(kv, tmp_path / f"rt{suffix}")
    return (tmp_path / f"rt{suffix}").read_bytes()


def _damaged(data, module, kind):
    packed = module.compress(data)
    if kind == "truncated":
        return packed[:len(packed) // 2]
    if kind == "corrupt-middle":
        middle = len(packed) // 2
        return packed[:middle] + bytes(b ^ 0xA5 for b in packed[middle:middle + 64]) + packed[middle + 64:]
    return data                                 # not compressed, but named so


@pytest.mark.parametrize("kind", ["truncated", "corrupt-middle", "not-compressed"])
@pytest.mark.parametrize("compression", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("fmt", [".vec", ".bin"])
def test_damaged_compressed_vectors_are_a_format_error_naming_the_file(tmp_path, fmt, compression, kind):
    """``head -c 300000 rt.vec.gz > trunc.vec.gz; embkit info trunc.vec.gz`` printed only ``Aborted!``;
    ``embkit.load('trunc.vec.gz')`` raised a bare EOFError; a corrupt .xz an ``_lzma.LZMAError``."""
    path = tmp_path / f"{kind}{fmt}{compression}"
    path.write_bytes(_damaged(_vectors_bytes(tmp_path, fmt), MODULES[compression], kind))
    with pytest.raises(FormatError) as info:
        embkit.load(path)
    assert info.value.path == str(path)
    if kind != "corrupt-middle":      # damage in the middle may also read as a malformed row first
        assert "cannot decompress" in str(info.value)


@pytest.mark.parametrize("args", [("info",), ("neighbors", "@", "w1"), ("eval", "all"), ("convert", "@", "OUT")])
@pytest.mark.parametrize("compression, kind", [(".gz", "truncated"), (".bz2", "corrupt-middle"),
                                               (".xz", "corrupt-middle"), (".gz", "not-compressed")])
def test_every_command_reports_damaged_compressed_vectors_on_one_line(tmp_path, args, compression, kind):
    path = tmp_path / f"{kind}.vec{compression}"
    path.write_bytes(_damaged(_vectors_bytes(tmp_path, ".vec"), MODULES[compression], kind))
    argv = [path if a == "@" else tmp_path / "out.bin" if a == "OUT" else a for a in args]
    if "@" not in args:
        argv.append(path)
    one_line_error(run(*argv), path.name)
    assert not (tmp_path / "out.bin").exists()


def test_has_header_of_a_damaged_file_is_a_format_error(tmp_path):
    path = write(tmp_path / "t.vec.gz", b"2 2\n")
    with pytest.raises(FormatError, match="the name says gzip"):
        io.load(path)


@pytest.mark.parametrize("name", ["g.model", "g.kv", "g.bin", "g.kv.vec", "g.txt", "g.vec.gz"])
def test_a_gensim_pickle_is_named_and_never_loaded(tmp_path, name):
    """gensim's model.save() writes pickles: the error says so and how to export vectors, and nothing is unpickled."""
    import pickle

    path = tmp_path / name
    data = pickle.dumps({"vector_size": 3}, protocol=4)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(FormatError, match=r"a Python pickle \(what gensim's model.save\(\).*never loads pickles"):
        io.load(path)
