"""Tokenizers: split a line of text into tokens.

Two are built in: ``"whitespace"`` (split on any run of Unicode whitespace,
like ``str.split()``; tabs and runs of spaces never make empty tokens) and
``"regex"`` (word tokens ``\\w+(?:[-']\\w+)*``, which drops punctuation and
keeps hyphenated words and contractions together).
"""
import re

from ..exceptions import EmbkitError

WORD_PATTERN = r"\w+(?:[-']\w+)*"
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
            raise EmbkitError(f"unknown tokenizer {kind!r}; expected one of {', '.join(KINDS)}")
        if pattern is not None and kind != "regex":
            raise EmbkitError("a pattern is only used with the regex tokenizer")
        self.kind = kind
        self.lowercase = bool(lowercase)
        self.pattern = (pattern or WORD_PATTERN) if kind == "regex" else None
        if self.pattern is not None:
            try:
                self._findall = re.compile(self.pattern).findall
            except re.error as exc:
                raise EmbkitError(f"invalid tokenizer pattern {self.pattern!r}: {exc}") from None

    def __call__(self, line):
        """Return the list of tokens of ``line`` (str)."""
        if self.lowercase:
            line = line.lower()
        if self.kind == "whitespace":
            return line.split()
        return self._findall(line)

    def settings(self):
        """Settings as a JSON-able dict (recorded in manifests and meta.json)."""
        return {"kind": self.kind, "lowercase": self.lowercase, "pattern": self.pattern}

    def __repr__(self):
        return f"Tokenizer(kind={self.kind!r}, lowercase={self.lowercase}, pattern={self.pattern!r})"


def make_tokenizer(tokenizer="whitespace", lowercase=False):
    """Return a :class:`Tokenizer` from a kind name or pass one through."""
    if isinstance(tokenizer, Tokenizer):
        if lowercase and not tokenizer.lowercase:
            return Tokenizer(tokenizer.kind, True, tokenizer.pattern if tokenizer.kind == "regex" else None)
        return tokenizer
    return Tokenizer(tokenizer, lowercase=lowercase)
