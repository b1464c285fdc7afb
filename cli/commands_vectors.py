"""Commands on stored word vectors: ``neighbors``, ``info`` and ``convert``."""
from pathlib import Path

import click

from embkit import formats, io
from embkit.exceptions import EmbkitError
from embkit.formats.word2vec_text import has_header

from ._common import CONTEXT, emit_json, load_vectors, read_options, resolve_vecs
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def register(cli):
    """Add the vector commands to the ``cli`` group."""
    cli.add_command(neighbors)
    cli.add_command(info)
    cli.add_command(convert)


@click.command(context_settings=CONTEXT)
@click.argument("vecs")
@click.argument("words", nargs=-1, required=True, metavar="WORD...")
@click.option("--topn", type=click.IntRange(min=1), default=10, help="Neighbours per word.")
@_json_option
@read_options
def neighbors(vecs, words, topn, as_json, limit, unicode_errors):
    """Nearest neighbours (cosine) of each WORD in the vectors VECS."""
    kv = load_vectors(vecs, limit, unicode_errors)
    missing = [w for w in words if w not in kv]
    if missing:
        hints = []
        for w in missing:
            other = next((k for k in kv.index_to_key if k.casefold() == w.casefold()), None)
            hints.append(f"{w!r} (did you mean {other!r}?)" if other else repr(w))
        raise EmbkitError(f"not in the vocabulary of {vecs} ({len(kv)} words; words are matched exactly): "
                          + ", ".join(hints))
    results = [(word, kv.most_similar(word, topn=topn)) for word in words]
    if as_json:
        emit_json([{"word": word, "neighbors": [{"key": key, "similarity": score}
                                                 for key, score in found]}
                   for word, found in results])
        return
    for n, (word, found) in enumerate(results):
        if n:
            click.echo()
        click.echo(word)
        width = max((len(key) for key, _ in found), default=0)
        for rank, (key, score) in enumerate(found, 1):
            click.echo(f"  {rank:>3}  {key:<{width}}  {score:.4f}")


def _render(name, value, indent=0):
    """Lines showing one metadata entry; nested dicts and lists are indented."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{name}:"]
        for key, sub in value.items():
            lines.extend(_render(key, sub, indent + 1))
        return lines
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        lines = [f"{pad}{name}:"]
        for item in value:
            if isinstance(item, dict):
                item = ", ".join(f"{k}={_scalar(v)}" for k, v in item.items())
            lines.append(f"{pad}  - {_scalar(item)}")
        return lines
    if isinstance(value, list):
        return [f"{pad}{name}: {', '.join(_scalar(v) for v in value)}"]
    return [f"{pad}{name}: {_scalar(value)}"]


def _scalar(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@click.command(context_settings=CONTEXT, short_help="Size, format and training metadata of vectors.")
@click.argument("vecs", required=False)
@_json_option
@read_options
def info(vecs, as_json, limit, unicode_errors):
    """Size, format and training metadata of VECS (default: the newest model here)."""
    vecs = resolve_vecs(vecs)
    fmt = formats.detect_format(vecs)
    kv = load_vectors(vecs, limit, unicode_errors)
    meta = dict(kv.meta)
    summary = {
        "path": str(vecs),
        "format": fmt,
        "words": len(kv),
        "dim": kv.dim,
        "has_counts": kv.counts is not None,
        "total_count": None if kv.counts is None else int(kv.counts.sum()),
        "has_context": kv.context is not None,
        "embkit_version": meta.pop("embkit_version", None),
        "created": meta.pop("created", None),
    }
    if as_json:
        emit_json({**summary, "meta": meta})
        return
    headerless = fmt == formats.WORD2VEC and not _has_header(vecs)
    shown = fmt + (" (text without a header line, as GloVe writes)" if headerless else "")
    lines = [f"path: {vecs}", f"format: {shown}", f"words: {len(kv)}", f"dim: {kv.dim}",
             "counts: " + (f"yes (total {summary['total_count']})" if kv.counts is not None
                           else "no"),
             f"context vectors: {'yes' if kv.context is not None else 'no'}"]
    for key in ("embkit_version", "created"):
        if summary[key] is not None:
            lines.append(f"{key.replace('_', ' ')}: {summary[key]}")
    for key, value in meta.items():     # params, corpus, training (with losses), ...
        lines.extend(_render(key, value))
    click.echo("\n".join(lines))


@click.command(context_settings=CONTEXT, short_help="Convert vectors to another format.")
@click.argument("paths", nargs=-1, required=True, metavar="[VECS] OUT")
@click.option("--to", "to", type=click.Choice(formats.FORMATS), default=None,
              show_default="from OUT's name",
              help="Output format.")
@read_options
def convert(paths, to, limit, unicode_errors):
    """Write the vectors VECS (default: the newest model here) to OUT in another format.

    \b
    OUT's name gives the format unless --to is given:
      a directory, .embkit or no extension   native (embkit) directory
      .vec or .txt                           word2vec text
      .bin                                   word2vec binary
    word2vec files ending in .gz, .bz2 or .xz are compressed.
    """
    if len(paths) > 2:
        raise click.UsageError(f"expected [VECS] OUT, got {len(paths)} arguments")
    out = paths[-1]
    if len(paths) == 1 and Path(out).exists():
        raise click.UsageError(f"{out} exists; with one argument it would be overwritten by the newest model "
                               f"here. To convert it, give both: embkit convert {out} OUT")
    if to is None and not Path(out).is_dir() and formats.format_from_name(out) is None:
        raise click.UsageError(f"cannot tell the output format from the name {out!r}; "
                               f"pass --to ({', '.join(formats.FORMATS)})")
    vecs = resolve_vecs(paths[0] if len(paths) == 2 else None)
    formats.check_output(out, to, inputs=[vecs])     # never convert a file onto itself
    kv = load_vectors(vecs, limit, unicode_errors)
    io.save(kv, out, format=to)
    fmt = to or (formats.NATIVE if Path(out).is_dir() else formats.format_from_name(out))
    click.echo(f"wrote {out}: {len(kv)} words, dim {kv.dim}, format {fmt}")


def _has_header(path):
    """True when a word2vec text file starts with a ``count dim`` line."""
    try:
        return has_header(path)
    except (OSError, EOFError):
        return True
