"""Multi-word terms as single tokens: term lists, their files, and joining them into a corpus's tokens.

A :class:`TermList` holds terms (two or more words each) and joins them in a
list of tokens, longest match first: at each position the longest term that
starts there becomes one token, its words joined by the delimiter
(``new york city`` -> ``new_york_city``), and matching resumes after it.

Terms come from two kinds of file:

* a *terms file* (``--terms``): one term per line, its words separated by
  spaces, split by the corpus's tokenizer (and lowercased with it); blank
  lines and lines starting with ``#`` are skipped;
* a *phrases file* (``--phrases``, written by ``embkit phrases``): a TSV of
  ``term<TAB>count<TAB>score`` rows whose terms are words joined by the
  delimiter named in its ``# settings:`` header line (default ``_``).

Punctuation breaks terms: with the regex tokenizer, a line's tokens are read
with a :data:`BREAK` mark wherever something other than spaces stood between
two tokens (a comma, a parenthesis, a full stop...), so that neither phrase
detection nor joining reads "elm, ulmus" or "york. times" as adjacent words.
The marks are dropped once the terms are joined.
"""
import hashlib
import json
import logging
import os
import re

from ..exceptions import FormatError, InvalidDataError, InvalidParameterError
from ..formats._sniff import reports_damage, text_lines
from .tokenize import Tokenizer, _with_marks

log = logging.getLogger(__name__)

BREAK = "<break>"
"""The token marking a break between two tokens (the regex tokenizer never yields it)."""

DEFAULT_DELIMITER = "_"
_END = None                      # the trie key marking the end of a term


class BreakTokenizer(Tokenizer):
    """A regex tokenizer that also marks where punctuation stood between tokens.

    The tokens are those of ``Tokenizer("regex", lowercase, pattern)``; each
    non-space character between two of them (a comma, a parenthesis...)
    adds a :data:`BREAK` (a run of punctuation gives several, which count as
    one).

    Parameters
    ----------
    kind : {"regex"}
        Only the regex kind knows what it left out between tokens.
    lowercase : bool
        Lowercase each line first.
    pattern : str, optional
        The token pattern (default the regex tokenizer's).

    Raises
    ------
    EmbkitError
        Another kind, or an invalid pattern.
    """

    def __init__(self, kind="regex", lowercase=False, pattern=None):
        if kind != "regex":
            raise InvalidParameterError(f"breaks are marked only by the regex tokenizer, not {kind!r}")
        super().__init__(kind, lowercase, pattern)
        self._with_breaks_ascii = re.compile(f"({self.pattern})|\\S").findall
        self._with_breaks = re.compile(f"({_with_marks(self.pattern)})|\\S").findall

    @classmethod
    def like(cls, tokenizer):
        """The break-marking twin of a regex ``tokenizer`` (same pattern and lowercasing).

        Parameters
        ----------
        tokenizer : Tokenizer
            Of kind ``"regex"``.

        Returns
        -------
        BreakTokenizer
        """
        return cls(tokenizer.kind, tokenizer.lowercase, tokenizer.pattern)

    def __call__(self, line):
        """The tokens of ``line`` with a :data:`BREAK` for each non-space character between tokens."""
        if self.lowercase:
            line = line.lower()
        found = self._with_breaks_ascii(line) if line.isascii() else self._with_breaks(line)
        return [t or BREAK for t in found]

    def settings(self):
        """The regex tokenizer's settings with ``"breaks": True`` (a different cache entry than without)."""
        return {**super().settings(), "breaks": True}

    def __repr__(self):
        return f"BreakTokenizer(lowercase={self.lowercase}, pattern={self.pattern!r})"


def marks_breaks(tokenizer):
    """Whether ``tokenizer``'s lines can be read with breaks (the regex kind).

    Parameters
    ----------
    tokenizer : Tokenizer or Sentences
        What splits the corpus's lines.

    Returns
    -------
    bool
    """
    return getattr(tokenizer, "kind", None) == "regex"


class TermList:
    """Terms of two or more words, joined into single tokens longest match first.

    Parameters
    ----------
    terms : iterable of sequence of str
        Each term as its words (duplicates are dropped; order does not matter).
    delimiter : str
        Joins a term's words into its token (default ``_``).
    source : dict, optional
        Where the terms came from, recorded in the encoded corpus's manifest.

    Attributes
    ----------
    terms : list of tuple of str
        The distinct terms, sorted.
    delimiter : str
    source : dict

    Raises
    ------
    EmbkitError
        A term of fewer than two words, or a word that is empty or holds
        whitespace.
    """

    def __init__(self, terms, delimiter=DEFAULT_DELIMITER, source=None):
        distinct = set()
        for term in terms:
            words = tuple(term)
            if len(words) < 2:
                raise InvalidDataError(f"a term needs two or more words, got {list(words)!r}")
            for w in words:
                if not isinstance(w, str) or not w or any(ch.isspace() for ch in w):
                    raise InvalidDataError(f"term {list(words)!r}: {w!r} is not a word (empty or holds whitespace)")
            distinct.add(words)
        self.terms = sorted(distinct)
        self.delimiter = delimiter
        self.source = dict(source or {})
        self._trie = {}
        for words in self.terms:
            node = self._trie
            for w in words:
                node = node.setdefault(w, {})
            node[_END] = True

    def __len__(self):
        return len(self.terms)

    def __repr__(self):
        return f"<TermList of {len(self)} terms, delimiter {self.delimiter!r}>"

    def sha256(self):
        """SHA-256 hex digest of the delimiter and the sorted terms (part of cache keys)."""
        h = hashlib.sha256(f"{self.delimiter}\n".encode("utf-8"))
        for words in self.terms:
            h.update(("\x1f".join(words) + "\n").encode("utf-8"))
        return h.hexdigest()

    def join(self, tokens):
        """``tokens`` with every term joined into one token, longest match first, left to right.

        Parameters
        ----------
        tokens : list of str
            One sentence's tokens (a :data:`BREAK` matches no term word).

        Returns
        -------
        list of str
        """
        trie = self._trie
        out = []
        i, n = 0, len(tokens)
        while i < n:
            node = trie.get(tokens[i])
            end = -1
            j = i + 1
            while node is not None and j < n:
                node = node.get(tokens[j])
                j += 1
                if node is not None and _END in node:
                    end = j
            if end < 0:
                out.append(tokens[i])
                i += 1
            else:
                out.append(self.delimiter.join(tokens[i:end]))
                i = end
        return out

    def lowercased(self):
        """A copy with every word lowercased (for a lowercased corpus)."""
        return TermList([[w.lower() for w in words] for words in self.terms], self.delimiter, self.source)

    def merged(self, other):
        """The union of two term lists (this one's delimiter; both must use the same).

        Parameters
        ----------
        other : TermList

        Returns
        -------
        TermList

        Raises
        ------
        EmbkitError
            The two lists join words with different delimiters.
        """
        if other.delimiter != self.delimiter:
            raise InvalidParameterError(f"the phrases join words with {self.delimiter!r} and the terms with "
                                        f"{other.delimiter!r}; use one delimiter")
        return TermList(self.terms + other.terms, self.delimiter, {**self.source, **other.source})


class JoiningTokenizer:
    """A tokenizer whose tokens have a term list's terms joined (breaks respected, then dropped).

    Parameters
    ----------
    tokenizer : Tokenizer
        Splits the lines.
    terms : TermList
        The terms to join.
    """

    def __init__(self, tokenizer, terms):
        self.tokenizer = tokenizer
        self.terms = terms
        self._split = BreakTokenizer.like(tokenizer) if marks_breaks(tokenizer) else tokenizer
        self._breaks = self._split is not tokenizer
        self.kind = tokenizer.kind
        self.lowercase = tokenizer.lowercase

    def __call__(self, line):
        """The tokens of ``line`` with the terms joined."""
        joined = self.terms.join(self._split(line))
        if self._breaks:
            return [t for t in joined if t != BREAK]
        return joined

    def settings(self):
        """The underlying tokenizer's settings (the terms are recorded apart, under ``terms``)."""
        return self.tokenizer.settings()


# ---------------------------------------------------------------- files

@reports_damage
def read_terms(path, tokenizer=None):
    """Read a terms file: one term per line, words separated by spaces.

    Parameters
    ----------
    path : str or os.PathLike
        UTF-8 text; blank lines and lines starting with ``#`` are skipped.
    tokenizer : Tokenizer, optional
        Splits (and lowercases) each line as the corpus's lines are split;
        default: on whitespace.

    Returns
    -------
    TermList
        With ``source`` ``{"terms": path}``.

    Raises
    ------
    FormatError
        A line holding a tab (a phrases TSV, which goes to ``phrases``), or
        a line of fewer than two words; the message names file and line.
    """
    path = os.fspath(path)
    split = tokenizer if tokenizer is not None else str.split
    terms, broken = [], []
    for lineno, line in text_lines(path):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if "\t" in text:
            raise FormatError(path, lineno, "holds a tab: a terms file has one term per line, words separated "
                              "by spaces (a phrases TSV from `embkit phrases` goes to --phrases)")
        tokens = split(text)
        words = [w for w in tokens if w != BREAK]
        if len(words) < 2:
            raise FormatError(path, lineno, f"a term needs two or more words, found {text[:60]!r}")
        if BREAK in tokens[tokens.index(words[0]):len(tokens) - tokens[::-1].index(words[-1])]:
            broken.append((lineno, text))
        terms.append(words)
    if broken:
        lineno, text = broken[0]
        log.warning("%s, line %d: %r holds punctuation the tokenizer breaks terms at, so it never joins%s",
                    path, lineno, text[:60], f" (and {len(broken) - 1} more such terms)" if len(broken) > 1 else "")
    return TermList(terms, source={"terms": path})


def phrases_header(settings, corpus_line):
    """The comment lines that open a phrases file.

    Parameters
    ----------
    settings : dict
        The detection settings (JSON values); ``delimiter`` is read back by
        :func:`read_phrases`.
    corpus_line : str
        What was read (corpus names, tokens, terms found).

    Returns
    -------
    str
        Three lines starting with ``#``, each ending with a newline.
    """
    return ("# embkit phrases: term<TAB>count<TAB>score, best first\n"
            f"# settings: {json.dumps(settings, sort_keys=True, ensure_ascii=False)}\n"
            f"# corpus: {corpus_line}\n")


def _header_delimiter(path, lineno, line, delimiter):
    """The delimiter named by a ``# settings: {...}`` header line, else ``delimiter``."""
    if not line.startswith("# settings:"):
        return delimiter
    try:
        found = json.loads(line[len("# settings:"):]).get("delimiter", delimiter)
    except (ValueError, AttributeError):
        raise FormatError(path, lineno, "the '# settings:' line is not a JSON object") from None
    if not isinstance(found, str) or not found or any(ch.isspace() for ch in found):
        raise FormatError(path, lineno, f"delimiter {found!r} is not a non-empty string without whitespace")
    return found


def _phrase_row(path, lineno, line, delimiter):
    """(term, count, score) of a row, or FormatError naming what is wrong."""
    fields = line.split("\t")
    if len(fields) != 3:
        hint = " (a list of terms with spaces between words goes to --terms)" if len(fields) == 1 and " " in line \
            else ""
        raise FormatError(path, lineno, f"expected 'term<TAB>count<TAB>score', found {len(fields)} field(s): "
                          f"{line[:60]!r}{hint}")
    term, count, score = fields
    words = term.split(delimiter)
    if len(words) < 2 or not all(words) or any(ch.isspace() for ch in term):
        raise FormatError(path, lineno, f"{term[:60]!r} is not a multi-word term (words joined by {delimiter!r}, "
                          "no spaces)")
    try:
        n = int(count)
    except ValueError:
        raise FormatError(path, lineno, f"count {count[:30]!r} is not an integer") from None
    if n < 0:
        raise FormatError(path, lineno, f"negative count {n}")
    try:
        s = float(score)
    except ValueError:
        raise FormatError(path, lineno, f"score {score[:30]!r} is not a number") from None
    if s != s or s in (float("inf"), float("-inf")):
        raise FormatError(path, lineno, f"score {score!r} is not finite")
    return term, n, s


@reports_damage
def read_phrases(path):
    """Read a phrases file written by ``embkit phrases`` (:meth:`embkit.Phrases.save`).

    Parameters
    ----------
    path : str or os.PathLike
        UTF-8 TSV: lines starting with ``#`` are comments (a ``# settings:``
        line names the delimiter), blank lines are skipped, every other line
        is ``term<TAB>count<TAB>score``.

    Returns
    -------
    rows : list of (str, int, float)
        In file order.
    delimiter : str

    Raises
    ------
    FormatError
        A row without three tab-separated fields, a term of one word or
        with spaces, a count that is not a non-negative integer, a score
        that is not a finite number; the message names file and line.
    """
    path = os.fspath(path)
    delimiter = DEFAULT_DELIMITER
    rows = []
    for lineno, line in text_lines(path):
        if line.startswith("#"):
            if not rows:
                delimiter = _header_delimiter(path, lineno, line, delimiter)
            continue
        if not line.strip():
            continue
        rows.append(_phrase_row(path, lineno, line.rstrip("\r"), delimiter))
    return rows, delimiter


@reports_damage
def phrases_settings(path):
    """The detection settings a phrases file's ``# settings:`` header records ({} without one).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    dict
    """
    for lineno, line in text_lines(os.fspath(path)):
        if not line.startswith("#"):
            break
        if line.startswith("# settings:"):
            try:
                found = json.loads(line[len("# settings:"):])
            except ValueError:
                raise FormatError(path, lineno, "the '# settings:' line is not a JSON object") from None
            return found if isinstance(found, dict) else {}
    return {}


def phrases_terms(path):
    """The terms of a phrases file as a :class:`TermList` (every row, whatever its score).

    Parameters
    ----------
    path : str or os.PathLike
        A phrases file (see :func:`read_phrases`).

    Returns
    -------
    TermList
        With ``source`` ``{"phrases": path}``.

    Raises
    ------
    FormatError
        See :func:`read_phrases`.
    """
    rows, delimiter = read_phrases(path)
    return TermList([term.split(delimiter) for term, _, _ in rows], delimiter, {"phrases": os.fspath(path)})


__all__ = ["TermList", "BreakTokenizer", "JoiningTokenizer", "BREAK", "DEFAULT_DELIMITER", "read_terms",
           "read_phrases", "phrases_settings", "phrases_terms", "phrases_header", "marks_breaks"]
