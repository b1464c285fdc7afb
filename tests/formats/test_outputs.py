"""Output checks made before any work: format and name, inputs, directories, models, unwritable places."""
import pytest

from embkit import formats, io
from embkit._outputs import check_file_output, is_model_dir
from embkit.exceptions import EmbkitError, MissingFileError


def test_check_output_refuses_inputs_directories_and_unwritable_places(tmp_path, kv):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b\n")
    with pytest.raises(EmbkitError, match="also an input"):
        formats.check_output(corpus, inputs=[str(corpus)])
    (tmp_path / "d.vec").mkdir()
    with pytest.raises(EmbkitError, match="is a directory"):
        formats.check_output(tmp_path / "d.vec")
    with pytest.raises(EmbkitError, match="cannot tell the output format"):
        formats.check_output(tmp_path / "x.npy")
    (tmp_path / "new" / "sub").mkdir(parents=True)
    assert formats.check_output(tmp_path / "new" / "sub" / "x.vec") == "word2vec"
    io.save(kv, tmp_path / "new" / "sub" / "x.vec")
    assert (tmp_path / "new" / "sub" / "x.vec").exists()


@pytest.mark.parametrize("name", ["x.vec", "x.bin", "x.embkit"])
def test_missing_directories_are_refused_not_created(tmp_path, kv, name):
    target = tmp_path / "typo" / "sub" / name
    with pytest.raises(MissingFileError) as info:
        io.save(kv, target)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, EmbkitError)
    assert str(info.value) == (f"cannot write {target}: directory {tmp_path / 'typo'} does not exist "
                               "(embkit does not create it; check the name or create it first)")
    assert info.value.filename == str(tmp_path / "typo")
    assert not (tmp_path / "typo").exists()


def test_a_directory_the_job_creates_may_be_missing(tmp_path):
    out = tmp_path / "aligned"
    assert formats.check_output(out / "a.embkit", "native", creates=out) == "native"
    with pytest.raises(MissingFileError, match="directory .*deeper does not exist"):
        formats.check_output(tmp_path / "deeper" / "aligned" / "a.vec", creates=tmp_path / "deeper" / "aligned")


def test_is_model_dir(tmp_path, kv):
    io.save(kv, tmp_path / "m.embkit")
    assert is_model_dir(tmp_path / "m.embkit") is True
    assert is_model_dir(str(tmp_path / "m.embkit")) is True
    (tmp_path / "other").mkdir()
    assert is_model_dir(tmp_path / "other") is False
    (tmp_path / "other" / "meta.json").write_text('{"format": "something"}')
    assert is_model_dir(tmp_path / "other") is False
    (tmp_path / "other" / "meta.json").write_text('["not", "an", "object"]')
    assert is_model_dir(tmp_path / "other") is False
    (tmp_path / "other" / "meta.json").write_text("{broken")
    assert is_model_dir(tmp_path / "other") is False
    assert is_model_dir(tmp_path / "absent") is False


def test_check_file_output(tmp_path, kv):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a b\n")
    with pytest.raises(EmbkitError, match="also an input, or inside one"):
        check_file_output(corpus / "vocab.tsv", [str(corpus)], what="a vocabulary")
    check_file_output(tmp_path / "vocab.tsv", ["-", str(corpus)], what="a vocabulary")
    with pytest.raises(EmbkitError, match=f"cannot write a vocabulary to {corpus}: it is a directory"):
        check_file_output(corpus, what="a vocabulary")
    io.save(kv, tmp_path / "m.embkit")
    with pytest.raises(EmbkitError, match="refusing to write .*vocab.tsv: it is inside the embkit model"):
        check_file_output(tmp_path / "m.embkit" / "vocab.tsv")
    with pytest.raises(EmbkitError, match="not a regular file"):
        check_file_output("/dev/null")
    with pytest.raises(EmbkitError, match="outputs go to files, not to /dev or /proc"):
        check_file_output("/dev/stdout-like-name")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(EmbkitError, match="is not a directory"):
        check_file_output(tmp_path / "plain" / "v.vec")
    assert list(tmp_path.glob(".embkit-probe.*")) == []
