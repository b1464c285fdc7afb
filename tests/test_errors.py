"""One exception family: everything the library raises for bad input or settings is an EmbkitError,
and also the built-in exception that fits (FileNotFoundError, PermissionError, ValueError, ...)."""
import errno
import inspect
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import embkit
from embkit import exceptions, io
from embkit.corpus.vocab import Vocabulary
from embkit.evaluation.datasets import load_similarity, read_analogies, read_similarity
from embkit.exceptions import (
    CorpusError,
    EmbkitError,
    FileAccessError,
    FormatError,
    InvalidParameterError,
    file_error,
    one_line,
    show_path,
)
from embkit.vectors import KeyedVectors
from embkit_cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def test_load_of_a_missing_file_is_an_embkit_error_and_a_file_not_found_error(tmp_path):
    """``embkit.load("nope.vec")`` raised a raw FileNotFoundError."""
    with pytest.raises(EmbkitError) as info:
        embkit.load(tmp_path / "nope.vec")
    assert isinstance(info.value, FileNotFoundError) and info.value.errno == errno.ENOENT
    assert info.value.filename == str(tmp_path / "nope.vec")
    assert str(info.value) == f"{tmp_path / 'nope.vec'}: no such file or directory"
    with pytest.raises(FileNotFoundError):
        embkit.load(tmp_path / "nope.embkit")
    with pytest.raises(EmbkitError):
        embkit.load(tmp_path / "nope.embkit")


def test_fit_on_a_missing_corpus_is_a_corpus_error_and_a_file_not_found_error(tmp_path):
    with pytest.raises(CorpusError) as info:
        embkit.SkipGram(dim=4, epochs=1).fit(str(tmp_path / "nope.txt"))
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, EmbkitError)
    assert "nope.txt: no such file or directory" in str(info.value)


def test_vocabulary_build_from_sentences_raises_no_type_error():
    """``Vocabulary.build([["a", "b"]])`` raised a raw TypeError (now: nothing reaches min_count 5)."""
    with pytest.raises(CorpusError, match="min_count=5"):
        Vocabulary.build([["a", "b"]])
    assert Vocabulary.build([["a", "b"]], min_count=1).words == ["a", "b"]


@pytest.mark.parametrize("call", [
    lambda d: io.load(d, format="word2vec"), lambda d: io.load(d, format="word2vec-bin"),
    lambda d: read_similarity(d), lambda d: read_analogies(d), lambda d: Vocabulary.load(d),
])
def test_a_directory_given_as_a_file(tmp_path, call):
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(EmbkitError) as info:
        call(tmp_path / "dir.txt")
    assert isinstance(info.value, IsADirectoryError) and "dir.txt" in str(info.value)


def test_a_file_given_as_a_model_directory(tmp_path):
    (tmp_path / "m.embkit").write_text("not a directory\n")
    with pytest.raises(EmbkitError, match="m.embkit"):
        io.load(tmp_path / "m.embkit", format="native")


@pytest.fixture
def denied(monkeypatch):
    """Opening a file named ``secret*`` fails as for a user without read permission (tests run as root)."""
    import builtins

    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if isinstance(path, (str, Path)) and Path(str(path)).name.startswith("secret"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)


@pytest.mark.parametrize("name, call", [
    ("secret.vec", io.load), ("secret.bin", io.load), ("secret.vec.gz", io.load),
    ("secret.txt", lambda p: read_similarity(p)),
    ("secret.txt", lambda p: Vocabulary.build(str(p), min_count=1)),
])
def test_permission_denied(tmp_path, denied, name, call):
    path = tmp_path / name
    path.write_bytes(b"2 2\na 1 2\nb 3 4\n")
    with pytest.raises(EmbkitError) as info:
        call(path)
    assert isinstance(info.value, PermissionError) and info.value.errno == errno.EACCES
    assert str(info.value) == f"{path}: permission denied"


def test_permission_denied_on_the_command_line(tmp_path, denied):
    path = tmp_path / "secret.vec"
    path.write_bytes(b"1 2\na 1 2\n")
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"embkit: error: {path}: permission denied"]


def test_missing_evaluation_data_set(tmp_path):
    with pytest.raises(EmbkitError) as info:
        load_similarity(str(tmp_path / "nosuch.txt"))
    assert isinstance(info.value, FileNotFoundError) and "unknown similarity data set" in str(info.value)
    with pytest.raises(FileNotFoundError):
        read_similarity(tmp_path / "nosuch.txt")
    with pytest.raises(EmbkitError):
        read_analogies(tmp_path / "nosuch.txt")


@pytest.mark.parametrize("kwargs, builtin", [
    ({"limit": -1}, ValueError), ({"limit": True}, ValueError), ({"limit": 1.5}, TypeError),
    ({"format": "glove"}, ValueError), ({"mmap": "w"}, ValueError),
])
def test_bad_settings_of_load(tmp_path, kwargs, builtin):
    path = tmp_path / "v.vec"
    path.write_text("1 2\na 1 2\n")
    with pytest.raises(InvalidParameterError) as info:
        io.load(path, **kwargs)
    assert isinstance(info.value, builtin) and isinstance(info.value, EmbkitError)


def test_every_error_of_embkit_derives_from_embkit_error_and_a_builtin():
    classes = [obj for obj in vars(exceptions).values()
               if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == exceptions.__name__]
    assert len(classes) >= 14
    for cls in classes:
        assert issubclass(cls, EmbkitError), cls
        if cls is not EmbkitError:
            assert any(base.__module__ == "builtins" and base is not Exception for base in cls.__mro__), cls


def test_readme_lists_every_error_class_with_its_builtin():
    text = README.read_text(encoding="utf-8")
    for name in exceptions.__all__:
        obj = getattr(exceptions, name)
        if inspect.isclass(obj) and obj is not EmbkitError:
            assert f"`{name}`" in text, name


def test_file_error_keeps_errno_and_file_name():
    exc = file_error(FileNotFoundError(errno.ENOENT, "No such file or directory", "x\ny.vec"))
    assert isinstance(exc, FileAccessError) and isinstance(exc, FileNotFoundError)
    assert (exc.errno, exc.filename) == (errno.ENOENT, "x\ny.vec")
    assert str(exc) == "'x\\ny.vec': no such file or directory"
    assert file_error(exc) is exc
    other = file_error(OSError(errno.EIO, "Input/output error", "d.vec"))
    assert type(other) is FileAccessError and str(other) == "d.vec: input/output error"


def test_paths_and_messages_stay_on_one_line():
    assert show_path("plain/café.vec") == "plain/café.vec"
    assert show_path("a\nb.vec") == "'a\\nb.vec'"
    assert show_path("esc\x1b[31m.vec") == "'esc\\x1b[31m.vec'"
    assert one_line("a\nb\r\x1bc\td\u2028") == "a\\nb\\r\\x1bc\td\\u2028"
    assert str(FormatError("x\ny.vec", 3, "bad")) == "'x\\ny.vec', line 3: bad"


def test_writers_errors_are_embkit_errors(tmp_path):
    kv = KeyedVectors(["a b"], np.ones((1, 2), np.float32))
    with pytest.raises(EmbkitError, match="cannot write token 'a b'"):
        io.save(kv, tmp_path / "v.bin")


@pytest.mark.parametrize("call, builtin", [
    (lambda kv: kv.most_similar(), ValueError),
    (lambda kv: kv.most_similar("a", topn=-1), ValueError),
    (lambda kv: kv.most_similar(np.ones(5, np.float32)), ValueError),
    (lambda kv: KeyedVectors([1, 2], np.ones((2, 2), np.float32)), TypeError),
    (lambda kv: KeyedVectors(["a", "a"], np.ones((2, 2), np.float32)), ValueError),
    (lambda kv: io.save("not vectors", "x.vec"), TypeError),
])
def test_bad_arguments_to_vectors_and_queries(call, builtin):
    kv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(EmbkitError) as info:
        call(kv)
    assert isinstance(info.value, builtin)
