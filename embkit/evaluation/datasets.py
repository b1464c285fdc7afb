"""Bundled evaluation data sets: registry, look-up, readers and checksums.

The data sets live in the ``embkit_data`` package (the top-level ``data/``
folder of the source tree) and are described by ``data/REGISTRY.json``: name,
kind (``analogy``, ``similarity`` or ``corpus``), relative path, source,
licence, citation, SHA-256 and number of items. Loading a bundled data set by
name verifies its SHA-256 first.

File formats
------------
Analogy files (questions-words format, Mikolov et al. 2013)
    One question ``a b c d`` per line ("a is to b as c is to d"), four
    whitespace-separated words. A line ``: name`` starts a section. Blank
    lines and lines starting with ``#`` are ignored. Both the Google set and
    the MSR set use this layout (MSR with sections named after the
    part-of-speech pair, e.g. ``: JJ_JJR``).
Similarity files
    One pair ``word1 word2 score`` per line, the three fields separated by any
    run of whitespace (tabs or spaces). Blank lines and lines starting with
    ``#`` are ignored.

Examples
--------
>>> from embkit.evaluation.datasets import available_datasets, load_similarity
>>> available_datasets("analogy")
['google', 'msr']
>>> len(load_similarity("rg65").pairs)
65
"""
import errno
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..exceptions import (
    FormatError,
    InvalidDataError,
    InvalidParameterError,
    KeyNotFoundError,
    MissingFileError,
)
from ..formats._sniff import reports_damage, text_lines

__all__ = [
    "AnalogyQuestion", "AnalogyDataset", "SimilarityDataset",
    "available_datasets", "dataset_info", "dataset_path", "corpus_path",
    "verify_dataset", "read_analogies", "read_similarity",
    "load_analogies", "load_similarity", "sha256_file",
]

KINDS = ("analogy", "similarity", "corpus", "lexicon", "sts", "terms")
DEFAULT_SECTION = "default"
_REGISTRY_FILE = "REGISTRY.json"
_registry_cache = None


@dataclass(frozen=True)
class AnalogyQuestion:
    """One analogy question: ``a`` is to ``b`` as ``c`` is to ``d``.

    Parameters
    ----------
    section : str
        The section it belongs to (``"default"`` in a file without section
        headers).
    a, b, c : str
        The question words.
    d : str
        The expected answer.
    """

    section: str
    a: str
    b: str
    c: str
    d: str


@dataclass
class AnalogyDataset:
    """Analogy questions read from a file (or built in memory).

    Parameters
    ----------
    name : str
        Registry name for bundled sets, else the path or a label.
    questions : list of AnalogyQuestion
        In file order.
    path : str, optional
        The file read, None for questions built in memory.
    """

    name: str
    questions: list = field(default_factory=list)
    path: str = None

    @property
    def sections(self):
        """Section names in order of first appearance."""
        return list(dict.fromkeys(q.section for q in self.questions))

    def __len__(self):
        return len(self.questions)


@dataclass
class SimilarityDataset:
    """Word pairs with human similarity scores.

    Parameters
    ----------
    name : str
        Registry name for bundled sets, else the path or a label.
    pairs : list of (str, str, float)
        ``(word1, word2, score)`` in file order; scores are finite, on the
        data set's own scale.
    path : str, optional
        The file read, None for pairs built in memory.
    """

    name: str
    pairs: list = field(default_factory=list)
    path: str = None

    def __len__(self):
        return len(self.pairs)


# --------------------------------------------------------------------------- registry

def _data_root():
    return resources.files("embkit_data")


def _registry():
    global _registry_cache
    if _registry_cache is None:
        text = (_data_root() / _REGISTRY_FILE).read_text(encoding="utf-8")
        entries = json.loads(text)["datasets"]
        _registry_cache = {e["name"]: e for e in entries}
    return _registry_cache


def available_datasets(kind=None):
    """Names of the bundled data sets, in registry order.

    Parameters
    ----------
    kind : {None, "analogy", "similarity", "corpus", "lexicon", "sts", "terms"}
        Only data sets of this kind; None lists all of them.

    Returns
    -------
    list of str
    """
    if kind is not None and kind not in KINDS:
        raise InvalidParameterError(f"unknown data set kind {kind!r}; expected one of {', '.join(KINDS)}")
    return [name for name, e in _registry().items() if kind is None or e["kind"] == kind]


def dataset_info(name):
    """The registry entry of a bundled data set.

    Parameters
    ----------
    name : str
        A bundled data set's name (see :func:`available_datasets`).

    Returns
    -------
    dict
        A copy of its entry in ``data/REGISTRY.json``: ``name``, ``kind``,
        ``path`` (relative to the data package), ``language``, ``source``,
        ``licence``, ``citation``, ``note``, ``bytes``, ``sha256`` and
        ``items``.

    Raises
    ------
    EmbkitError
        When ``name`` is not a bundled data set.
    """
    entry = _registry().get(name)
    if entry is None:
        raise KeyNotFoundError(name, message=f"no bundled data set named {name!r}; "
                                             f"available: {', '.join(available_datasets())}")
    return dict(entry)


def _resource(name):
    entry = dataset_info(name)
    res = _data_root()
    for part in entry["path"].split("/"):
        res = res / part
    return entry, res


def sha256_file(path):
    """SHA-256 of a file's bytes, read in 1 MiB blocks.

    Parameters
    ----------
    path : str, os.PathLike or importlib.resources.abc.Traversable
        The file.

    Returns
    -------
    str
        64 lowercase hex digits.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_dataset(name):
    """Check the SHA-256 of a bundled data set against the registry.

    Parameters
    ----------
    name : str
        A bundled data set's name.

    Raises
    ------
    EmbkitError
        When the file is missing or its checksum differs.
    """
    entry, res = _resource(name)
    if not res.is_file():
        raise MissingFileError(errno.ENOENT, "no such file or directory", str(res),
                               message=f"bundled data set {name!r} is missing: {entry['path']} not found "
                                       "in the embkit_data package; reinstall embkit")
    digest = sha256_file(res)
    if digest != entry["sha256"]:
        raise InvalidDataError(f"checksum mismatch for bundled data set {name!r} ({entry['path']}): "
                               f"expected sha256 {entry['sha256']}, got {digest}; the file was "
                               "modified or damaged, reinstall embkit")


def dataset_path(name, verify=True):
    """Filesystem path of a bundled data set, checksum verified by default.

    Parameters
    ----------
    name : str
        A bundled data set's name (any kind, corpora included).
    verify : bool
        Check the file's SHA-256 against the registry first.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    EmbkitError
        An unknown name, or (with ``verify``) a missing or modified file.
    """
    entry, res = _resource(name)
    if verify:
        verify_dataset(name)
    return Path(os.fspath(res))


def corpus_path(name="sotu", verify=True):
    """Filesystem path of a bundled corpus (gzip text, one paragraph per line).

    Parameters
    ----------
    name : str
        A bundled corpus's name (see ``available_datasets("corpus")``);
        default ``"sotu"``, the State of the Union addresses.
    verify : bool
        Check the file's SHA-256 against the registry first.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    EmbkitError
        An unknown name, a data set that is not a corpus, or (with
        ``verify``) a missing or modified file.
    """
    entry = dataset_info(name)
    if entry["kind"] != "corpus":
        raise InvalidParameterError(f"{name!r} is a {entry['kind']} data set, not a corpus; "
                                    f"bundled corpora: {', '.join(available_datasets('corpus'))}")
    return dataset_path(name, verify=verify)


def _a(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def _resolve(dataset, kind):
    """Map a bundled name or a path to (label, path); verify bundled checksums."""
    text = os.fspath(dataset)
    entry = _registry().get(text)
    if entry is not None and entry["kind"] == kind and isinstance(dataset, str):
        return text, dataset_path(text, verify=True)
    if os.path.exists(text):
        return text, Path(text)
    names = ", ".join(available_datasets(kind))
    if entry is not None:
        raise InvalidParameterError(f"{text!r} is a bundled {entry['kind']} data set, not {_a(kind)} "
                                    f"data set; available {kind} data sets: {names}")
    raise MissingFileError(errno.ENOENT, "no such file or directory", text,
                           message=f"unknown {kind} data set {text!r}: neither a bundled data set nor an "
                                   f"existing file; available {kind} data sets: {names}")


# --------------------------------------------------------------------------- readers

def _lines(path):
    """Yield (lineno, stripped line) for non-blank, non-comment lines; U+FEFF is dropped wherever it stands.

    Plain or compressed UTF-8 text (:func:`embkit.formats._sniff.text_lines`); invalid UTF-8 is a FormatError
    naming the line and the byte offset in the text.
    """
    for lineno, line in text_lines(path):
        if "\ufeff" in line:
            line = line.replace("\ufeff", "")
        s = line.strip()
        if s and not s.startswith("#"):
            yield lineno, s


@reports_damage
def read_analogies(path, name=None):
    """Read an analogy file in questions-words format.

    Parameters
    ----------
    path : str or os.PathLike
    name : str, optional
        Label of the data set; defaults to the path.

    Returns
    -------
    AnalogyDataset

    Raises
    ------
    FormatError
        On a line that is neither a ``: section`` header nor four words, or
        when the file holds no question, or on invalid UTF-8 (line and byte offset).
    FileAccessError
        When the file cannot be read (missing: also a FileNotFoundError).
    """
    path = os.fspath(path)
    section = DEFAULT_SECTION
    questions = []
    for lineno, line in _lines(path):
        if line.startswith(":"):
            section = line[1:].strip()
            if not section:
                raise FormatError(path, lineno, "section header ':' without a name")
            continue
        fields = line.split()
        if len(fields) != 4:
            raise FormatError(path, lineno, f"expected an analogy question of 4 words "
                              f"'a b c d' or a ': section' header, found {len(fields)} "
                              f"field(s): {line[:80]!r}")
        questions.append(AnalogyQuestion(section, *fields))
    if not questions:
        raise FormatError(path, None, "no analogy questions found (expected lines 'a b c d')")
    return AnalogyDataset(name or path, questions, path)


@reports_damage
def read_similarity(path, name=None):
    """Read a word-pair similarity file (``word1 word2 score`` per line).

    Fields are separated by any run of whitespace, so tab- and space-separated
    files read identically.

    Parameters
    ----------
    path : str or os.PathLike
    name : str, optional
        Label of the data set; defaults to the path.

    Returns
    -------
    SimilarityDataset

    Raises
    ------
    FormatError
        On the first line that does not parse; when no line parses the message
        says "0 valid pairs" and names the first bad line. Invalid UTF-8
        names the line and byte offset.
    FileAccessError
        When the file cannot be read (missing: also a FileNotFoundError).
    """
    path = os.fspath(path)
    pairs = []
    first_bad = None
    for lineno, line in _lines(path):
        fields = line.split()
        problem = None
        if len(fields) != 3:
            problem = f"expected 3 whitespace-separated fields 'word1 word2 score', " \
                      f"found {len(fields)}"
        else:
            try:
                score = float(fields[2])
            except ValueError:
                problem = f"score {fields[2]!r} is not a number"
            else:
                if not math.isfinite(score):
                    problem = f"score {fields[2]!r} is not finite"
        if problem is not None:
            if first_bad is None:
                first_bad = (lineno, f"{problem}: {line[:80]!r}")
            continue
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        if first_bad is None:
            raise FormatError(path, None, "0 valid pairs: the file has no 'word1 word2 score' line")
        lineno, problem = first_bad
        # the error is reported at the first line that does not parse
        raise FormatError(path, lineno, f"0 valid pairs in the file; {problem}")
    if first_bad is not None:
        lineno, problem = first_bad
        raise FormatError(path, lineno, problem)
    return SimilarityDataset(name or path, pairs, path)


def load_analogies(dataset):
    """Analogy questions from a bundled name, a path, or questions in memory.

    Parameters
    ----------
    dataset : str, os.PathLike, AnalogyDataset or iterable
        A bundled name (``"google"``, ``"msr"``), a file path, an
        :class:`AnalogyDataset`, or an iterable of :class:`AnalogyQuestion`,
        ``(section, a, b, c, d)`` or ``(a, b, c, d)`` tuples.

    Returns
    -------
    AnalogyDataset
    """
    if isinstance(dataset, AnalogyDataset):
        return dataset
    if isinstance(dataset, (str, os.PathLike)):
        label, path = _resolve(dataset, "analogy")
        return read_analogies(path, name=label)
    questions = []
    for item in dataset:
        if isinstance(item, AnalogyQuestion):
            questions.append(item)
            continue
        item = tuple(item)
        if len(item) == 4:
            questions.append(AnalogyQuestion(DEFAULT_SECTION, *item))
        elif len(item) == 5:
            questions.append(AnalogyQuestion(*item))
        else:
            raise InvalidDataError(f"an analogy question must be (a, b, c, d) or "
                                   f"(section, a, b, c, d), got {item!r}")
    if not questions:
        raise InvalidDataError("no analogy questions given")
    return AnalogyDataset("<questions>", questions, None)


def load_similarity(dataset):
    """Word pairs from a bundled name, a path, or pairs in memory.

    Parameters
    ----------
    dataset : str, os.PathLike, SimilarityDataset or iterable
        A bundled name (see ``available_datasets("similarity")``), a file
        path, a :class:`SimilarityDataset`, or an iterable of
        ``(word1, word2, score)``.

    Returns
    -------
    SimilarityDataset
    """
    if isinstance(dataset, SimilarityDataset):
        return dataset
    if isinstance(dataset, (str, os.PathLike)):
        label, path = _resolve(dataset, "similarity")
        return read_similarity(path, name=label)
    pairs = []
    for item in dataset:
        item = tuple(item)
        if len(item) != 3:
            raise InvalidDataError(f"a similarity pair must be (word1, word2, score), got {item!r}")
        try:
            score = float(item[2])
        except (TypeError, ValueError):
            score = float("nan")
        if not math.isfinite(score):
            raise InvalidDataError(f"the score of a similarity pair must be a finite number, "
                                   f"got {item!r}")
        pairs.append((str(item[0]), str(item[1]), score))
    if not pairs:
        raise InvalidDataError("0 valid pairs given")
    return SimilarityDataset("<pairs>", pairs, None)
