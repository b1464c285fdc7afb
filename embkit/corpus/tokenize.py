"""Tokenizers: split a line of text into tokens.

Two are built in: ``"whitespace"`` (split on any run of Unicode whitespace,
like ``str.split()``; tabs and runs of spaces never make empty tokens) and
``"regex"`` (word tokens ``\\w+(?:[-']\\w+)*``, which drops punctuation and
keeps hyphenated words and contractions together; ``\\w`` there also matches
Unicode combining marks, so words in Devanagari, vocalised Arabic or with
decomposed accents stay whole).  Both drop U+FEFF (a byte-order mark; files
joined with ``cat`` hold them inside lines) before splitting, so it is never
part of a token and never splits one.
"""
import functools
import re
import sys
import unicodedata

from ..exceptions import InvalidParameterError

WORD_PATTERN = r"\w+(?:[-']\w+)*"

#: Version of the rules the tokenizers follow beyond their settings (part of the encoded-corpus
#: cache key): 2 drops U+FEFF wherever it stands.
TOKEN_RULES = 2


@functools.lru_cache(maxsize=1)
def _marks_class():
    r"""A character-class body of every Unicode combining mark (categories Mn, Mc, Me).

    Python's ``\w`` leaves combining marks out, so Devanagari, Arabic with
    vowel signs or decomposed accents would break apart inside words.
    """
    ranges, start, prev = [], None, None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith("M"):
            if start is None:
                start = cp
            elif cp != prev + 1:
                ranges.append((start, prev))
                start = cp
            prev = cp
    ranges.append((start, prev))
    return "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in ranges)


def _with_marks(pattern):
    r"""``pattern`` with each ``\w`` also matching combining marks."""
    return pattern.replace("\\w", f"[\\w{_marks_class()}]")


KINDS = ("whitespace", "regex")


class Tokenizer:
    """Split lines into tokens.

    Parameters
    ----------
    kind : {"whitespace", "regex"}
        ``"whitespace"`` splits on runs of whitespace; ``"regex"`` finds all
        matches of ``pattern``.
    lowercase : bool
        Lowercase each line (``str.lower``) before tokenizing.
    pattern : str, optional
        Regular expression of one token for ``kind="regex"``; defaults to
        ``WORD_PATTERN``.

    Raises
    ------
    EmbkitError
        Unknown kind or an invalid pattern.
    """

    def __init__(self, kind="whitespace", lowercase=False, pattern=None):
        if kind not in KINDS:
            raise InvalidParameterError(f"unknown tokenizer {kind!r}; expected one of {', '.join(KINDS)}")
        if pattern is not None and kind != "regex":
            raise InvalidParameterError("a pattern is only used with the regex tokenizer")
        self.kind = kind
        self.lowercase = bool(lowercase)
        self.pattern = (pattern or WORD_PATTERN) if kind == "regex" else None
        if self.pattern is not None:
            try:
                self._findall = re.compile(_with_marks(self.pattern)).findall
                self._findall_ascii = re.compile(self.pattern).findall  # same tokens on ASCII text, faster
            except re.error as exc:
                raise InvalidParameterError(f"invalid tokenizer pattern {self.pattern!r}: {exc}") from None

    def __call__(self, line):
        """Return the list of tokens of ``line`` (str)."""
        if not line.isascii() and "\ufeff" in line:     # isascii() is O(1)
            line = line.replace("\ufeff", "")
        if self.lowercase:
            line = line.lower()
        if self.kind == "whitespace":
            return line.split()
        if line.isascii():
            return self._findall_ascii(line)
        return self._findall(line)

    def settings(self):
        """Settings as a JSON-able dict (recorded in manifests and meta.json)."""
        return {"kind": self.kind, "lowercase": self.lowercase, "pattern": self.pattern}

    def __repr__(self):
        return f"Tokenizer(kind={self.kind!r}, lowercase={self.lowercase}, pattern={self.pattern!r})"


def make_tokenizer(tokenizer="whitespace", lowercase=False):
    """A :class:`Tokenizer` from a kind name, or the given one passed through.

    Parameters
    ----------
    tokenizer : {"whitespace", "regex"} or Tokenizer
        A kind name (the regex kind then uses :data:`WORD_PATTERN`), or a
        tokenizer to use as it is.
    lowercase : bool
        Lowercase lines before splitting.  A given tokenizer that does not
        lowercase is replaced by a lowercasing copy; ``False`` never turns
        lowercasing off.

    Returns
    -------
    Tokenizer

    Raises
    ------
    EmbkitError
        An unknown kind name.
    """
    if isinstance(tokenizer, Tokenizer):
        if lowercase and not tokenizer.lowercase:
            return Tokenizer(tokenizer.kind, True, tokenizer.pattern if tokenizer.kind == "regex" else None)
        return tokenizer
    return Tokenizer(tokenizer, lowercase=lowercase)
