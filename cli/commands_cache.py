"""``embkit cache``: list or clear the cache (encoded corpora and the other kinds of entry)."""
import datetime
import os

import click

from embkit._memory import format_size
from embkit.corpus import cache
from embkit.exceptions import show_path

from ._common import CONTEXT, emit_json, status


def register(cli):
    """Add the ``cache`` group to the ``cli`` group."""
    cli.add_command(cache_group)


@click.group("cache", context_settings=CONTEXT)
def cache_group():
    """The cache of encoded corpora ($EMBKIT_CACHE, default ~/.cache/embkit).

    Training encodes a corpus once and reuses it while its files are unchanged.
    The least recently used entries are removed when the cache grows beyond
    $EMBKIT_CACHE_SIZE (default 10G).
    """


@cache_group.command("info", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_info(as_json):
    """List the cache entries, least recently used first."""
    root = cache.cache_root()
    entries = cache.cache_entries(root)
    total = sum(e["bytes"] for e in entries)
    if as_json:
        emit_json({"root": str(root), "limit_bytes": cache.cache_limit(), "bytes": total,
                   "entries": [dict(e, path=str(e["path"]), last_used=_iso(e["last_used"])) for e in entries]})
        return
    cache.cache_limit()        # a bad $EMBKIT_CACHE_SIZE is an error here too
    limit = os.environ.get("EMBKIT_CACHE_SIZE") or cache.DEFAULT_LIMIT
    click.echo(f"{show_path(root)}: {_counts(entries)}, {format_size(total)} "
               f"(limit {limit}, $EMBKIT_CACHE_SIZE)")
    n_left, size = cache.leftovers(root)
    if n_left:
        click.echo(f"  and {n_left} leftover(s) of interrupted runs ({format_size(size)}); "
                   "`embkit cache clear` removes them")
    for e in entries:
        src = e["sources"][0] if e["sources"] else "?"
        more = f" (+{len(e['sources']) - 1} files)" if len(e["sources"]) > 1 else ""
        tokens = f"{e['tokens']} tokens  " if e["tokens"] is not None else ""
        click.echo(f"  {e['kind']}/{e['path'].name}  {format_size(e['bytes']):>10}  last used {_iso(e['last_used'])}  "
                   f"{tokens}{show_path(src)}{more}")


@cache_group.command("clear", context_settings=CONTEXT)
def cache_clear():
    """Remove every cache entry not in use."""
    kinds = {e["kind"] for e in cache.cache_entries()}
    n, freed, busy, leftovers = cache.clear_cache()
    what = cache.KINDS["corpora"][1] if kinds <= {"corpora"} else "cache entries"
    status(f"removed {n} {what} ({format_size(freed)}) from {show_path(cache.cache_root())}"
           + (f" and {leftovers} leftover(s) of interrupted runs" if leftovers else "")
           + (f"; {busy} in use by a running process left in place" if busy else ""))


def _counts(entries):
    """'2 encoded corpora' (and so on for each kind of entry the cache holds; encoded corpora always)."""
    return ", ".join(f"{sum(e['kind'] == kind for e in entries)} {names[1]}" for kind, names in cache.KINDS.items()
                     if kind == "corpora" or any(e["kind"] == kind for e in entries))


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat(timespec="seconds")
