"""Semantic lexicons for retrofitting: the :class:`Lexicon` type, the lexicon file reader and the built-in lexicon.

File format
-----------
The format of Faruqui et al. (2015): one entry per line, a head word followed
by its neighbours, separated by any run of whitespace (spaces or tabs)::

    # comment lines start with '#'
    happy glad felicitous well-chosen
    car auto automobile machine:0.5 motorcar

- A neighbour may carry a positive weight, written ``neighbour:weight`` with
  a decimal point or an exponent (``machine:0.5``, ``machine:1.0``,
  ``machine:2e-1``); the default weight is 1. Other tokens that contain a
  colon are words: ``19:15`` (a time, as in the PPDB lexicon) is the word
  ``19:15``, not ``19`` with weight 15. A zero, negative or non-finite
  weight, a weight without a word (``:0.5``) or a weight on a head word
  raises :class:`~embkit.exceptions.FormatError`.
- Blank lines and lines whose first token starts with ``#`` are skipped; a
  ``#`` later on a line is part of a word.
- Words are taken exactly as written (case is kept); whether ``Apple``
  matches the vector key ``apple`` is decided when retrofitting (its
  ``case`` option).
- A head listed on several lines, the same neighbour listed twice, a head
  listed as its own neighbour and a head with no neighbour are all allowed
  in the file; :func:`embkit.postprocess.retrofit.retrofit` merges, drops
  and counts them (see there).
- Files ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are decompressed;
  so is compressed data without such a suffix (recognised by its magic
  number). The text must be UTF-8 (a byte order mark is skipped).

Built-in lexicon
----------------
``"wordnet"``: the "WordNet syn+" lexicon of Faruqui et al. (2015) rebuilt
from WordNet 3.0: for every lemma (lower-cased, multi-word lemmas joined
with ``_``), its synonyms, hypernyms and hyponyms (instance relations
included) over all its senses. 139,870 entries, 1,002,236 neighbours.
Bundled in ``embkit_data`` (``data/lexicons/``) with the WordNet 3.0 licence
beside it; its SHA-256 is checked on every load.

References
----------
Faruqui, M., Dodge, J., Jauhar, S. K., Dyer, C., Hovy, E., Smith, N. A.
(2015). Retrofitting Word Vectors to Semantic Lexicons. NAACL-HLT 2015,
1606-1615.

Miller, G. A. (1995). WordNet: A Lexical Database for English.
Communications of the ACM 38(11), 39-41.
"""
import errno
import hashlib
import json
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np

from ..exceptions import (
    FormatError,
    InvalidDataError,
    IsDirectoryError,
    KeyNotFoundError,
    MissingFileError,
    ParameterTypeError,
)
from ..formats._sniff import reports_damage, text_lines

__all__ = ["Lexicon", "read_lexicon", "load_lexicon", "lexicon_name", "builtin_lexicon_path",
           "BUILTIN_LEXICONS"]

#: Names of the bundled lexicons (``data/REGISTRY.json`` entries of kind ``lexicon``).
BUILTIN_LEXICONS = ("wordnet",)

# A weight: a decimal number with a point or an exponent (so that "19:15" stays a word).
_WEIGHT = re.compile(r"[-+]?(?:(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)\Z")


class Lexicon:
    """Head words and their (weighted) neighbours, as read from a lexicon.

    Entries are kept as read, one per line of the file (or item of a
    mapping): repeated heads, duplicate or self-referring neighbours and
    words absent from any vectors are resolved by
    :func:`~embkit.postprocess.retrofit.retrofit`, which counts them.

    Parameters
    ----------
    heads : list of str
        Head word of every entry.
    neighbours : list of str
        Neighbours of all entries, one after the other.
    offsets : array_like of int, shape (len(heads) + 1,)
        The neighbours of entry ``i`` are ``neighbours[offsets[i]:offsets[i + 1]]``.
    weights : array_like of float, shape (len(neighbours),), optional
        Weight of every neighbour (positive, finite); None means all 1.
    name : str, optional
        A label for reports and output names (the file name without
        extensions, or ``"wordnet"``).
    path : str, optional
        The file it was read from.
    linenos : array_like of int, shape (len(heads),), optional
        1-based line of every entry in ``path``.
    stats : dict, optional
        What the reader skipped: ``lines``, ``blank``, ``comments``.

    Attributes
    ----------
    heads, neighbours, offsets, weights, name, path, linenos, stats
        As given; ``offsets`` and ``linenos`` as int64 arrays, ``weights``
        as a float64 array or None.

    Raises
    ------
    ValueError
        When the lengths disagree or a weight is not positive and finite.
    """

    def __init__(self, heads, neighbours, offsets, weights=None, name=None, path=None, linenos=None,
                 stats=None):
        self.heads = list(heads)
        self.neighbours = list(neighbours)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        if (self.offsets.shape != (len(self.heads) + 1,) or self.offsets[0] != 0
                or self.offsets[-1] != len(self.neighbours) or np.any(np.diff(self.offsets) < 0)):
            raise InvalidDataError("offsets must rise from 0 to len(neighbours), one more than there are heads")
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            if weights.shape != (len(self.neighbours),):
                raise InvalidDataError(f"weights must have shape ({len(self.neighbours)},), got {weights.shape}")
            if not (np.isfinite(weights).all() and (weights > 0).all()):
                raise InvalidDataError("weights must be positive and finite")
        self.weights = weights
        self.name = name
        self.path = path
        self.linenos = None if linenos is None else np.asarray(linenos, dtype=np.int64)
        self.stats = dict(stats) if stats else {}

    @classmethod
    def from_mapping(cls, mapping, name="lexicon"):
        """A lexicon from a mapping of head words to neighbours.

        Parameters
        ----------
        mapping : mapping of str to iterable of str, or of str to mapping of str to float
            ``{"car": ["auto", "automobile"]}``, or with weights
            ``{"car": {"auto": 1.0, "machine": 0.5}}``. A pair ``(head,
            neighbours)`` iterable works too, so a head may repeat.
        name : str
            Label for reports.

        Returns
        -------
        Lexicon

        Raises
        ------
        EmbkitError
            When a word is not a non-empty str without whitespace, or a
            weight is not a positive finite number.
        """
        items = mapping.items() if hasattr(mapping, "items") else mapping
        heads, neighbours, offsets, weights = [], [], [0], []
        for head, nbrs in items:
            _check_word(head)
            pairs = nbrs.items() if hasattr(nbrs, "items") else ((n, 1.0) for n in nbrs)
            for nbr, given in pairs:
                _check_word(nbr)
                try:
                    weight = float(given)
                except (TypeError, ValueError):
                    weight = float("nan")
                if not (np.isfinite(weight) and weight > 0):
                    raise InvalidDataError(f"lexicon {name}: the weight of {head!r} -> {nbr!r} must be a "
                                           f"positive finite number, got {given!r}")
                neighbours.append(nbr)
                weights.append(weight)
            heads.append(head)
            offsets.append(len(neighbours))
        weighted = any(w != 1.0 for w in weights)
        return cls(heads, neighbours, offsets, weights if weighted else None, name=name)

    def __len__(self):
        return len(self.heads)

    @property
    def n_neighbours(self):
        """int: number of neighbours over all entries (the edges as written)."""
        return len(self.neighbours)

    def items(self):
        """Every entry, in order.

        Yields
        ------
        head : str
        neighbours : list of (str, float)
            Each neighbour with its weight.
        """
        for i, head in enumerate(self.heads):
            lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
            ws = [1.0] * (hi - lo) if self.weights is None else self.weights[lo:hi].tolist()
            yield head, list(zip(self.neighbours[lo:hi], ws))

    def __repr__(self):
        return f"Lexicon(name={self.name!r}, entries={len(self)}, neighbours={self.n_neighbours})"


def _check_word(word):
    if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
        raise InvalidDataError(f"a lexicon word must be a non-empty str without whitespace, got {word!r}")


def lexicon_name(path):
    """The label of a lexicon file: its name without compression and text extensions.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        ``ppdb-xl`` for ``lexicons/ppdb-xl.txt.gz``.
    """
    name = Path(os.fspath(path).rstrip("/")).name
    for suffixes in ((".gz", ".bz2", ".xz", ".lzma"), (".txt", ".lex", ".lexicon", ".tsv")):
        for suffix in suffixes:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[:-len(suffix)]
                break
    return name


def _parse_token(token, path, lineno):
    """(word, weight) of a neighbour token that contains a colon."""
    word, _, tail = token.rpartition(":")
    if not _WEIGHT.match(tail):
        return token, 1.0
    if not word:
        raise FormatError(path, lineno, f"weight without a word: {token!r} (expected neighbour:weight)")
    weight = float(tail)
    if not (np.isfinite(weight) and weight > 0):
        raise FormatError(path, lineno, f"the weight of {token!r} must be a positive finite number")
    return word, weight


@reports_damage
def read_lexicon(path, name=None):
    """Read a lexicon file (``head neighbour neighbour ...`` per line; see the module notes).

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` are decompressed.
    name : str, optional
        Label for reports; default: the file name without extensions.

    Returns
    -------
    Lexicon
        ``stats`` holds ``lines``, ``blank`` and ``comments``.

    Raises
    ------
    FormatError
        Naming the file and line: text that is not UTF-8, a malformed weight
        (zero, negative, not finite, without a word, or on a head word), a
        damaged compressed file, or a file without any entry.
    OSError
        When the file cannot be opened.
    """
    path = os.fspath(path)
    heads, neighbours, offsets, weights, linenos = [], [], [0], [], []
    weighted = False
    blank = comments = lineno = 0
    for lineno, line in text_lines(path):       # plain or compressed UTF-8; a BOM opening the file dropped
        fields = line.split()
        if not fields:
            blank += 1
            continue
        if fields[0].startswith("#"):
            comments += 1
            continue
        head = fields[0]
        if ":" in line:
            if ":" in head and _parse_token(head, path, lineno)[0] != head:
                raise FormatError(path, lineno, f"a head word cannot carry a weight: {head!r}")
            parsed = [_parse_token(t, path, lineno) if ":" in t else (t, 1.0) for t in fields[1:]]
            if any(w != 1.0 for _, w in parsed):
                if not weighted:
                    weights.extend([1.0] * len(neighbours))
                    weighted = True
            neighbours.extend(w for w, _ in parsed)
            if weighted:
                weights.extend(x for _, x in parsed)
        else:
            neighbours.extend(fields[1:])
            if weighted:
                weights.extend([1.0] * (len(fields) - 1))
        heads.append(head)
        offsets.append(len(neighbours))
        linenos.append(lineno)
    if not heads:
        raise FormatError(path, None, "no lexicon entries (expected lines 'word neighbour neighbour ...')")
    stats = {"lines": lineno, "blank": blank, "comments": comments}
    return Lexicon(heads, neighbours, offsets, weights if weighted else None,
                   name=name or lexicon_name(path), path=path, linenos=linenos, stats=stats)


def builtin_lexicon_path(name):
    """Path of a bundled lexicon, its SHA-256 checked against ``data/REGISTRY.json``.

    The registry is read here rather than through
    :mod:`embkit.evaluation.datasets`, whose package loads ``scipy.stats``
    (about a second), which retrofitting does not need.

    Parameters
    ----------
    name : str
        One of :data:`BUILTIN_LEXICONS`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    EmbkitError
        An unknown name, or a missing or modified file.
    """
    if name not in BUILTIN_LEXICONS:
        raise KeyNotFoundError(name, message=f"no built-in lexicon named {name!r}; built-in: "
                                             f"{', '.join(BUILTIN_LEXICONS)}")
    root = resources.files("embkit_data")
    registry = json.loads((root / "REGISTRY.json").read_text(encoding="utf-8"))["datasets"]
    entry = next(e for e in registry if e["name"] == name and e["kind"] == "lexicon")
    path = Path(os.fspath(root.joinpath(*entry["path"].split("/"))))
    if not path.is_file():
        raise MissingFileError(errno.ENOENT, "no such file or directory", path,
                               message=f"built-in lexicon {name!r} is missing: {entry['path']} not found in the "
                                       "embkit_data package; reinstall embkit")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != entry["sha256"]:
        raise InvalidDataError(f"checksum mismatch for built-in lexicon {name!r} ({entry['path']}): expected sha256 "
                               f"{entry['sha256']}, got {digest.hexdigest()}; the file was modified or damaged, "
                               "reinstall embkit")
    return path


def load_lexicon(lexicon):
    """A :class:`Lexicon` from a built-in name, a path, a Lexicon or a mapping.

    Parameters
    ----------
    lexicon : str, os.PathLike, Lexicon or mapping
        ``"wordnet"`` (built in; a file of that name is read as
        ``./wordnet``), the path of a lexicon file, a :class:`Lexicon`
        (returned as it is), or a mapping for :meth:`Lexicon.from_mapping`.

    Returns
    -------
    Lexicon

    Raises
    ------
    EmbkitError
        A name that is neither built in nor an existing file.
    FormatError
        A malformed file (see :func:`read_lexicon`).
    """
    if isinstance(lexicon, Lexicon):
        return lexicon
    if isinstance(lexicon, str) and lexicon in BUILTIN_LEXICONS:
        return read_lexicon(builtin_lexicon_path(lexicon), name=lexicon)
    if isinstance(lexicon, (str, os.PathLike)):
        text = os.fspath(lexicon)
        if not os.path.exists(text):
            raise MissingFileError(errno.ENOENT, "no such file or directory", text,
                                   message=f"lexicon {text!r} is neither a built-in lexicon "
                                           f"({', '.join(BUILTIN_LEXICONS)}) nor an existing file")
        if os.path.isdir(text):
            raise IsDirectoryError(errno.EISDIR, "is a directory", text,
                                   message=f"lexicon {text!r} is a directory; give a lexicon file (for WordNet's "
                                           "database files use embkit.postprocess.wordnet.read_wordnet)")
        return read_lexicon(text)
    if hasattr(lexicon, "items") or isinstance(lexicon, (list, tuple)):
        return Lexicon.from_mapping(lexicon)
    raise ParameterTypeError(f"lexicon must be a name, a path, a Lexicon or a mapping, got {type(lexicon).__name__}")
