"""Lexicons built from WordNet's database files (``data.noun``, ``data.verb``, ``data.adj``, ``data.adv``).

WordNet 3.0's files are in Debian's ``wordnet-base`` package
(``/usr/share/wordnet``) and in Princeton's distribution (``dict/``).
:func:`read_wordnet` reads the four data files directly (no WordNet library
needed) and returns a :class:`~embkit.postprocess.lexicon.Lexicon`.

Data file lines (WordNet's ``wndb(5)``)::

    synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] p_cnt [ptr ...] [frames ...] | gloss

with ``w_cnt`` in hexadecimal, ``p_cnt`` in decimal and each pointer
``symbol synset_offset pos source/target`` (``source/target`` is four
hexadecimal digits: ``0000`` for a relation between whole synsets, else the
numbers of the source and target words). Lines starting with a space are
the licence header.
"""
import errno
import os
from pathlib import Path

from ..exceptions import FormatError, MissingFileError
from .lexicon import Lexicon

__all__ = ["read_wordnet", "RELATIONS", "DEFAULT_RELATIONS"]

#: Relation names and the WordNet pointer symbols they follow (``synonym``: words of the same synset).
RELATIONS = {
    "synonym": (),
    "hypernym": ("@", "@i"),        # hypernym, instance hypernym
    "hyponym": ("~", "~i"),         # hyponym, instance hyponym
    "similar-to": ("&",),           # adjective clusters
    "derivation": ("+",),           # derivationally related forms (between words)
}
#: The "WordNet syn+" recipe of Faruqui et al. (2015), which the built-in ``wordnet`` lexicon follows.
DEFAULT_RELATIONS = ("synonym", "hypernym", "hyponym")

_FILES = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
_ADJ_MARKERS = ("(a)", "(p)", "(ip)")


def _pos_key(pos):
    """Adjective satellites ('s') live in data.adj beside head adjectives ('a')."""
    return "a" if pos == "s" else pos


def _lemma(word):
    for marker in _ADJ_MARKERS:
        if word.endswith(marker):
            word = word[:-len(marker)]
            break
    return word.lower()


def _parse_line(line, path, lineno):
    """(offset, lemmas, pointers) of one synset line; pointers as (symbol, offset, pos, source, target)."""
    fields = line.split(" | ", 1)[0].split()
    try:
        offset, w_cnt = fields[0], int(fields[3], 16)
        words = fields[4:4 + 2 * w_cnt:2]
        at = 4 + 2 * w_cnt
        p_cnt = int(fields[at])
        raw = fields[at + 1:at + 1 + 4 * p_cnt]
        if len(words) != w_cnt or w_cnt == 0 or len(raw) != 4 * p_cnt or not offset.isdigit():
            raise ValueError
        pointers = []
        for k in range(0, len(raw), 4):
            symbol, target, pos, st = raw[k:k + 4]
            if len(st) != 4 or not target.isdigit():
                raise ValueError
            pointers.append((symbol, target, _pos_key(pos), int(st[:2], 16), int(st[2:], 16)))
    except (ValueError, IndexError):
        raise FormatError(path, lineno, "not a WordNet data line 'offset lex_filenum ss_type w_cnt word lex_id "
                          "... p_cnt ptr ... | gloss'") from None
    return offset, [_lemma(w) for w in words], pointers


def _read_data_files(directory):
    """{(pos, offset): (lemmas, pointers, path, lineno)} over the four data files."""
    synsets = {}
    for name, pos in _FILES.items():
        path = Path(directory) / f"data.{name}"
        if not path.is_file():
            raise MissingFileError(errno.ENOENT, "no such file or directory", path,
                                   message=f"{directory}: no WordNet data file data.{name} (a WordNet database "
                                           "directory holds data.noun, data.verb, data.adj and data.adv, e.g. "
                                           "/usr/share/wordnet)")
        with open(path, "rb") as f:
            for lineno, raw in enumerate(f, 1):
                if raw[:1] in (b" ", b"\n", b"\r"):
                    continue                      # licence header
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise FormatError(str(path), lineno, f"not UTF-8 text ({exc.reason})") from None
                offset, lemmas, pointers = _parse_line(line, str(path), lineno)
                synsets[(pos, offset)] = (lemmas, pointers, str(path), lineno)
    return synsets


def read_wordnet(directory, relations=DEFAULT_RELATIONS, name="wordnet"):
    """A lexicon from WordNet's database files: each lemma's related lemmas, over all its senses.

    Lemmas are lower-cased (as in WordNet's index files and the built-in
    ``wordnet`` lexicon), multi-word lemmas keep WordNet's ``_``, adjective
    position markers (``(a)``, ``(p)``, ``(ip)``) are removed. Relations
    between synsets (hypernym, hyponym, similar-to) link every lemma of one
    synset to every lemma of the other; derivation links the two words the
    pointer names. A lemma is never its own neighbour.

    Parameters
    ----------
    directory : str or os.PathLike
        Holds ``data.noun``, ``data.verb``, ``data.adj`` and ``data.adv``.
    relations : iterable of str
        Names from :data:`RELATIONS`: ``synonym``, ``hypernym`` (instance
        hypernyms included), ``hyponym`` (instance hyponyms included),
        ``similar-to``, ``derivation``. The default is the paper's "WordNet
        syn+" (synonym, hypernym, hyponym), which reproduces the built-in
        lexicon from WordNet 3.0.
    name : str
        Label of the lexicon in reports.

    Returns
    -------
    Lexicon
        One entry per lemma that has a neighbour, heads and neighbours
        sorted.

    Raises
    ------
    InvalidParameterError
        An unknown or empty list of relations.
    EmbkitError
        A data file is missing.
    FormatError
        A line that is not a WordNet data line, or a pointer to a synset
        that no data file holds (file and line named).
    """
    from ..exceptions import InvalidParameterError

    relations = [relations] if isinstance(relations, str) else list(relations)
    unknown = [r for r in relations if r not in RELATIONS]
    if unknown or not relations:
        raise InvalidParameterError(f"relations must be a non-empty list of {', '.join(RELATIONS)}; got "
                                    f"{', '.join(map(repr, unknown or relations)) or 'none'}", "relations")
    symbols = {s for r in relations for s in RELATIONS[r]}
    synsets = _read_data_files(os.fspath(directory))
    neighbours = {}

    def link(sources, targets):
        for a in sources:
            bucket = neighbours.setdefault(a, set())
            bucket.update(targets)

    for lemmas, pointers, path, lineno in synsets.values():
        if "synonym" in relations:
            link(lemmas, lemmas)
        for symbol, offset, pos, source, target in pointers:
            if symbol not in symbols:
                continue
            other = synsets.get((pos, offset))
            if other is None:
                raise FormatError(path, lineno, f"pointer {symbol} to synset {offset} {pos}, which no data "
                                  "file holds")
            if source == 0 and target == 0:
                link(lemmas, other[0])
            elif 0 < source <= len(lemmas) and 0 < target <= len(other[0]):
                link([lemmas[source - 1]], [other[0][target - 1]])
            else:
                raise FormatError(path, lineno, f"pointer {symbol} names word {source:02x}/{target:02x}, "
                                  "which its synsets do not have")
    heads, flat, offsets = [], [], [0]
    for head in sorted(neighbours):
        nbrs = sorted(neighbours[head] - {head})
        if nbrs:
            heads.append(head)
            flat.extend(nbrs)
            offsets.append(len(flat))
    return Lexicon(heads, flat, offsets, name=name, path=os.fspath(directory))
