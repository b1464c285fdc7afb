"""Fuzzing the vector readers: word2vec text and binary (plain and compressed), native model directories,
and ``embkit info`` / ``embkit convert`` on the same inputs.

Every generated or mutated input either loads, and then saves and loads back
to the same keys and values, or raises an EmbkitError whose one-line message
names the file; never another exception, a warning, or an allocation the
input's size does not justify.
"""
import io as _io
import json

import numpy as np
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib import format as npy_format

from embkit import io
from embkit.exceptions import EmbkitError
from embkit.formats import native, word2vec_binary, word2vec_text
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

from ._tools import SPICE, compress, documented, mutated, vector_data, workdir

HEADER_NUMBERS = st.one_of(
    st.integers(-3, 50).map(str),
    st.sampled_from([2**31 - 1, 2**31, 2**63, 10**12, 10**29]).map(str),
    st.sampled_from(["1" * 4301, "0" * 30 + "2", "+3", "-0"]),
)
LIMITS = st.one_of(st.none(), st.integers(0, 8))


def _assert_round_trip(kv, where, name, fmt):
    """Save ``kv`` in ``fmt`` and read it back: the same keys and values."""
    out = where / name
    io.save(kv, out, format=fmt)
    back = io.load(out, format=fmt)
    assert back.index_to_key == kv.index_to_key
    assert back.vectors.shape == kv.vectors.shape
    assert np.array_equal(back.vectors, kv.vectors)
    if fmt == "native":
        assert (back.counts is None) == (kv.counts is None)
        if kv.counts is not None:
            assert np.array_equal(back.counts, kv.counts)


def _load_and_check(path, size, fmt, limit, where, name, mmap=None, pristine=False):
    """Load ``path``: a one-line error naming it, or vectors that round-trip; a ``pristine`` file must load."""
    result = documented(lambda: io.load(path, format=fmt, limit=limit, mmap=mmap), size)
    if isinstance(result, EmbkitError):
        assert not pristine, f"a file embkit wrote does not load: {result}"
        assert path.name in str(result), str(result)
        return None
    assert isinstance(result, KeyedVectors)
    assert result.vectors.dtype == np.float32 and result.vectors.ndim == 2 and result.dim >= 1
    assert np.isfinite(result.vectors).all()
    assert limit is None or len(result) <= limit
    _assert_round_trip(result, where, name, fmt)
    return result


def _word2vec_bytes(keys, vectors, writer, where):
    path = where / "base"
    writer(io.formats.VectorData(keys, vectors), path)
    return path.read_bytes()


@given(base=vector_data(word2vec_text.token_problem), suffix=st.sampled_from(["", ".gz", ".bz2", ".xz"]),
       damage_compressed=st.booleans(), header=st.none() | st.tuples(HEADER_NUMBERS, HEADER_NUMBERS),
       headerless=st.booleans(), limit=LIMITS, data=st.data())
def test_word2vec_text(base, suffix, damage_compressed, header, headerless, limit, data):
    with workdir() as where:
        text = _word2vec_bytes(*base, word2vec_text.write, where)
        if headerless:
            text = text.partition(b"\n")[2]
        elif header is not None:
            text = f"{header[0]} {header[1]}\n".encode() + text.partition(b"\n")[2]
        packed = compress(text, suffix)
        if damage_compressed and suffix:
            raw = data.draw(mutated(packed))
            pristine = raw == packed
        else:
            plain = data.draw(mutated(text))
            raw, pristine = compress(plain, suffix), plain == text
        path = where / f"v.vec{suffix}"
        path.write_bytes(raw)
        _load_and_check(path, max(len(raw), len(text)) * 2, "word2vec", limit, where, "again.vec",
                        pristine=pristine and header is None and not headerless)


@given(base=vector_data(word2vec_binary.token_problem), suffix=st.sampled_from(["", ".gz", ".xz"]),
       damage_compressed=st.booleans(), header=st.none() | st.tuples(HEADER_NUMBERS, HEADER_NUMBERS),
       limit=LIMITS, data=st.data())
def test_word2vec_binary(base, suffix, damage_compressed, header, limit, data):
    with workdir() as where:
        blob = _word2vec_bytes(*base, word2vec_binary.write, where)
        if header is not None:
            blob = f"{header[0]} {header[1]}\n".encode() + blob.partition(b"\n")[2]
        packed = compress(blob, suffix)
        if damage_compressed and suffix:
            raw = data.draw(mutated(packed))
            pristine = raw == packed
        else:
            plain = data.draw(mutated(blob))
            raw, pristine = compress(plain, suffix), plain == blob
        path = where / f"v.bin{suffix}"
        path.write_bytes(raw)
        _load_and_check(path, max(len(raw), len(blob)) * 2, "word2vec-bin", limit, where, "again.bin",
                        pristine=pristine and header is None)


def _npy_header(shape, descr, fortran):
    out = _io.BytesIO()
    npy_format.write_array_header_1_0(out, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return out.getvalue()


SHAPES = st.one_of(
    st.tuples(st.integers(0, 8), st.integers(0, 6)),
    st.tuples(st.sampled_from([-1, 10**12, 2**63, 10**29]), st.integers(-1, 6)),
    st.tuples(st.integers(0, 8), st.sampled_from([-1, 2**31, 10**12, 2**63])),
    st.lists(st.integers(0, 4), max_size=3).map(tuple),
)
def _json_containers(children):
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           _json_containers, max_leaves=12)


@st.composite
def _native_damage(draw):
    """(file name, how): which file of a model directory to damage, and how."""
    name = draw(st.sampled_from(["vectors.npy", "context.npy", "vocab.tsv", "meta.json"]))
    if name.endswith(".npy"):
        how = draw(st.sampled_from(["mutate", "header", "replace"]))
    elif name == "meta.json":
        how = draw(st.sampled_from(["mutate", "json", "replace"]))
    else:
        how = draw(st.sampled_from(["mutate", "replace"]))
    return name, how


@given(base=vector_data(native.token_problem), with_counts=st.booleans(), with_context=st.booleans(),
       damage=_native_damage(), mmap=st.sampled_from([None, "r"]), limit=LIMITS, data=st.data())
def test_native_directory(base, with_counts, with_context, damage, mmap, limit, data):
    keys, vectors = base
    counts = np.arange(len(keys), dtype=np.int64) if with_counts else None
    context = vectors[::-1].copy() if with_context else None
    with workdir() as where:
        model = where / "m.embkit"
        io.save(KeyedVectors(keys, vectors, counts=counts, context=context, meta={"note": "x"}), model)
        name, how = damage
        target = model / name
        before = target.read_bytes() if target.exists() else b""
        if how == "mutate":
            after = data.draw(mutated(before))
        elif how == "header":
            shape = data.draw(SHAPES)
            descr = data.draw(st.sampled_from(["<f4", ">f4", "<f8", "|u1", "<i8", "O"]))
            payload = data.draw(st.sampled_from([b"", before[128:], before[128:][:8], b"\0" * 48]))
            after = _npy_header(shape, descr, data.draw(st.booleans())) + payload
        elif how == "json":
            after = json.dumps({"format": "embkit", "format_version": data.draw(JSON_VALUES | st.just(1)),
                                data.draw(st.text(max_size=5)): data.draw(JSON_VALUES)}).encode()
        else:
            after = data.draw(st.sampled_from(SPICE) | st.binary(max_size=64))
        if after is not None and (target.exists() or after):
            target.write_bytes(after)
        size = sum(p.stat().st_size for p in model.iterdir())
        _load_and_check(model, size, "native", limit, where, "again.embkit", mmap=mmap,
                        pristine=after == before and how == "mutate" and target.exists() == bool(before))


@given(fmt=st.sampled_from([".vec", ".bin", ".vec.gz"]), base=vector_data(word2vec_binary.token_problem),
       command=st.sampled_from(["info", "info --json", "convert"]), data=st.data())
def test_cli_reports_one_line_naming_the_file(fmt, base, command, data):
    with workdir() as where:
        writer = word2vec_binary.write if fmt == ".bin" else word2vec_text.write
        blob = _word2vec_bytes(*base, writer, where)
        path = where / f"x{fmt}"
        path.write_bytes(compress(data.draw(mutated(blob)), ".gz" if fmt.endswith(".gz") else ""))
        args = command.split() + [str(path)] + ([str(where / "out.bin")] if command == "convert" else [])
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
        if result.exit_code == 1:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("embkit: error: "), result.stderr
            assert path.name in lines[0] or "out.bin" in lines[0] or "cannot write" in lines[0], lines[0]
        elif command == "info --json":
            json.loads(result.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
