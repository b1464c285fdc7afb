"""``embkit train``, ``embkit vocab`` and ``embkit warmup``."""
import logging
from pathlib import Path

import click

from ._common import CONTEXT, FiniteFloat

log = logging.getLogger("embkit")

_COMPRESSED = {".gz", ".bz2", ".xz", ".lzma"}


_EXTENSIONS = {None: ".embkit", "native": ".embkit", "word2vec": ".vec", "word2vec-bin": ".bin"}


def default_output(corpus, fmt=None):
    """``corpus.txt.gz`` -> ``corpus.embkit`` (``.vec``/``.bin`` for those formats) in the current directory.

    Standard input gives ``stdin.embkit``.
    """
    first = corpus[0]
    ext = _EXTENSIONS[fmt]
    if first == "-":
        return f"stdin{ext}"
    name = Path(first.rstrip("/")).name
    if any(ch in name for ch in "*?["):
        # a pattern: the part before its first wildcard (sotu_19*.txt.gz -> sotu_19), else its directory's name
        stem = name[:min(name.index(ch) for ch in "*?[" if ch in name)].rstrip("._- ")
        return f"{stem or Path(first).parent.name or 'corpus'}{ext}"
    path = Path(name)
    if path.suffix.lower() in _COMPRESSED:
        path = path.with_suffix("")
    if path.suffix:
        path = path.with_suffix("")
    return f"{path.name or 'corpus'}{ext}"


def corpus_options(f):
    """Options shared by commands that read a corpus."""
    opts = [
        click.option("--min-count", default=5, type=click.IntRange(min=1), help="Drop words seen fewer times."),
        click.option("--max-vocab-size", default=None, type=click.IntRange(min=1),
                     help="Keep at most this many most frequent words."),
        click.option("--tokenizer", default="whitespace", type=click.Choice(["whitespace", "regex"], case_sensitive=False),
                     help=r"whitespace: split on whitespace; regex: words \w+(?:[-']\w+)*."),
        click.option("--lowercase", is_flag=True, help="Lowercase the text."),
        click.option("--max-sentence-length", default=10000, type=click.IntRange(min=1),
                     help="Split longer lines into consecutive sentences of this many tokens."),
        click.option("--encoding-errors", default="strict", type=click.Choice(["strict", "replace"]),
                     help="Invalid UTF-8: stop with an error, or replace with U+FFFD and count."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _memory_size(ctx, param, value):
    from embkit._memory import parse_size
    from embkit.exceptions import EmbkitError

    if value is None:
        return None
    try:
        if parse_size(value) <= 0:
            raise EmbkitError("must be positive")
    except EmbkitError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--output", default=None,
              help="Output: a directory/.embkit (native), .vec/.txt (word2vec text) or .bin (word2vec binary). "
                   "Default: CORPUS name with .embkit, in the current directory.")
@click.option("--model", default="sgns", type=click.Choice(["sgns", "cbow"], case_sensitive=False),
              help="Skip-gram or CBOW, with negative sampling.")
@click.option("--dim", default=100, type=click.IntRange(min=1), help="Vector dimensionality.")
@click.option("--window", default=5, type=click.IntRange(min=1), help="Maximum context distance.")
@click.option("--negative", default=5, type=click.IntRange(min=1), help="Noise words per example.")
@click.option("--ns-exponent", default=0.75, type=FiniteFloat(min=0), help="Exponent of the noise distribution.")
@click.option("--sample", default=1e-3, type=FiniteFloat(min=0), help="Subsampling threshold (0: off).")
@click.option("--alpha", default=None, type=FiniteFloat(min=0, min_open=True),
              help="Initial learning rate [default: 0.025 sgns, 0.05 cbow].")
@click.option("--min-alpha", default=1e-4, type=FiniteFloat(min=0), help="Final learning rate.")
@click.option("--epochs", default=5, type=click.IntRange(min=0), help="Passes over the corpus.")
@corpus_options
@click.option("--threads", default=None, type=click.IntRange(min=1),
              help="Worker threads [default: all cores]; 1 with --seed is bit-for-bit reproducible.")
@click.option("--seed", default=1, type=click.IntRange(min=0), help="Random seed.")
@click.option("--no-shrink-windows", is_flag=True, help="Always use the full window.")
@click.option("--share-negatives/--no-share-negatives", default=True,
              help="Skip-gram: share noise words across a centre word's window and update it as one batch "
                   "(Ji et al. 2016, about 2x faster); --no-share-negatives gives word2vec.c's pair-by-pair update.")
@click.option("--max-memory", default=None, callback=_memory_size,
              help="Fail before allocating if training would need more (runtime, matrices, tables), "
                   "e.g. 512M, 2G, 1GiB [default: the memory available].")
@click.option("--format", "fmt", default=None, type=click.Choice(["native", "word2vec", "word2vec-bin"]),
              help="Output format [default: from the output name].")
@click.option("--no-cache", is_flag=True, help="Do not reuse or store the encoded corpus.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def train(corpus, output, model, dim, window, negative, ns_exponent, sample, alpha, min_alpha, epochs, min_count,
          max_vocab_size, tokenizer, lowercase, max_sentence_length, encoding_errors, threads, seed,
          no_shrink_windows, share_negatives, max_memory, fmt, no_cache, quiet):
    """Train word vectors on CORPUS (files, directories, globs, or - for stdin; .gz/.bz2/.xz read)."""
    from embkit._memory import parse_size
    from embkit.models.word2vec import Word2Vec

    from embkit.corpus.reading import expand_inputs
    from embkit.formats import check_output

    if min_alpha > (alpha if alpha is not None else (0.025 if model == "sgns" else 0.05)):
        raise click.BadParameter("must not exceed --alpha (the rate falls from --alpha to --min-alpha)",
                                 param_hint="--min-alpha")
    if output is not None and output.strip() in ("", "-"):
        raise click.BadParameter("give a file or directory name (vectors are not written to standard output)",
                                 param_hint="-o/--output")
    out = output or default_output(corpus, fmt)
    inputs = expand_inputs(list(corpus))          # directories and globs expanded once
    check_output(out, fmt, inputs=inputs)         # fail now, not after training
    est = Word2Vec(sg=(model == "sgns"), dim=dim, window=window, negative=negative, ns_exponent=ns_exponent,
                   sample=sample, alpha=alpha, min_alpha=min_alpha, epochs=epochs, min_count=min_count,
                   max_vocab_size=max_vocab_size, max_sentence_length=max_sentence_length, tokenizer=tokenizer,
                   lowercase=lowercase, encoding_errors=encoding_errors, shrink_windows=not no_shrink_windows,
                   share_negatives=share_negatives, threads=threads, seed=seed, max_memory=max_memory,
                   cache=not no_cache, progress=not quiet)
    est.fit(inputs)
    est.wv.save(out, format=fmt)
    t = est.wv.meta["training"]
    last = f", final loss {t['epochs'][-1]['loss_mean']:.4f}/example" if t["epochs"] else ""
    wps = t["words_per_second"]
    click.echo(f"wrote {out}: {len(est.wv)} words x {dim}, {model}, {epochs} epochs over "
               f"{est.corpus_.raw_tokens} tokens in {t['seconds']:.1f} s"
               f"{f' ({_rate(wps)} words/s)' if wps else ''}{last}", err=True)


def _rate(words_per_second):
    """1.53M, 812k or 950: three significant figures at most."""
    if words_per_second >= 1e6:
        return f"{words_per_second / 1e6:.2f}M"
    if words_per_second >= 1e3:
        return f"{words_per_second / 1e3:.0f}k"
    return f"{words_per_second:.0f}"


@click.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="Vocabulary TSV to write (word<TAB>count); - for stdout.")
@corpus_options
def vocab(corpus, output, min_count, max_vocab_size, tokenizer, lowercase, max_sentence_length, encoding_errors):
    """Count CORPUS and write its vocabulary (most frequent first, ties by first occurrence)."""
    from embkit.corpus.reading import expand_inputs
    from embkit.corpus.vocab import Vocabulary
    from embkit._outputs import check_file_output

    if not output.strip():
        raise click.BadParameter("give a file name, or - for standard output", param_hint="-o/--output")
    inputs = expand_inputs(list(corpus))
    if output != "-":
        check_file_output(output, inputs, what="a vocabulary")
    v = Vocabulary.build(inputs, tokenizer=tokenizer, lowercase=lowercase, min_count=min_count,
                         max_vocab_size=max_vocab_size, encoding_errors=encoding_errors)
    if output == "-":
        for w, c in zip(v.words, v.counts.tolist()):
            click.echo(f"{w}\t{c}")
        return
    v.save(output)
    click.echo(f"wrote {output}: {len(v)} words, {v.total} tokens in the vocabulary", err=True)


@click.command(context_settings=CONTEXT)
def warmup():
    """Compile every kernel into Numba's on-disk cache."""
    from embkit.models.word2vec import warmup as _warmup

    _warmup()
    click.echo("kernels compiled and cached", err=True)


def register(cli):
    cli.add_command(train)
    cli.add_command(vocab)
    cli.add_command(warmup)
