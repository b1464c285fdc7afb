"""Corpus handling: reading, tokenizing, one scanning pass, vocabulary, the encoded corpus and the cache."""
