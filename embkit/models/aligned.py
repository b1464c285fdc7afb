"""Aligned slices: vectors of several corpora in one coordinate system, and their directory layout.

An alignment run (:class:`~embkit.models.compass.CompassAligner`, ``embkit
align``) writes a directory holding

* ``<name>.embkit`` for each slice (or ``<name>.vec`` / ``<name>.bin`` with
  another format), readable by every command that reads vectors;
* ``compass.embkit``, the compass (method ``cade`` only; always native: its
  context matrix is what the slices share); and
* ``manifest.json``: the method, the settings, the compass (with
  ``context_sha256``, its identity, and the sources of each slice it was
  trained on) and, for each slice, its file, method, sources (resolved
  paths and sizes), token counts, the tokens it left out and what it was
  aligned to (``compass_sha256``, or ``reference`` and ``reference_sha256``)
  (written atomically after each model, so an interrupted run says how far
  it got, and ``--skip-existing`` can tell which models belong to the run:
  :mod:`embkit.models._reuse`).

:class:`AlignedSlices` holds such a result in memory and loads it back.
"""
import datetime
import errno
import json
import logging
from pathlib import Path

from .. import _params
from .._outputs import check_file_output, is_model_dir, output_file
from .._version import __version__
from ..exceptions import (
    EmbkitError,
    FormatError,
    InvalidDataError,
    InvalidParameterError,
    KeyNotFoundError,
    MissingFileError,
    NotDirectoryError,
    ParameterTypeError,
    file_error,
    show_path,
)
from . import _reuse as reuse

log = logging.getLogger(__name__)

FORMAT = "embkit-aligned"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COMPASS = "compass"
EXTENSIONS = {None: ".embkit", "native": ".embkit", "word2vec": ".vec", "word2vec-bin": ".bin", "fasttext-bin": ".bin"}
"""File ending of the slice models for each ``format``."""

_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma")

__all__ = ["AlignedSlices", "OutputDirectory", "check_compass", "slice_name", "check_slice_name", "slice_path",
           "compass_path", "read_manifest", "write_manifest", "new_manifest", "FORMAT", "MANIFEST", "COMPASS"]


def slice_name(corpus, i=0):
    """The default name of a slice: its file name without directory and endings.

    Parameters
    ----------
    corpus : object
        A path (``sotu_1790-1899.txt.gz`` gives ``sotu_1790-1899``), an
        encoded corpus (named after its first source file) or anything else.
    i : int
        0-based position of the slice, for the fallback ``slice<i+1>``.

    Returns
    -------
    str
    """
    path = None
    if isinstance(corpus, (str, Path)):
        path = str(corpus)
    elif hasattr(corpus, "manifest"):
        sources = corpus.manifest.get("sources") or [{}]
        path = sources[0].get("path")
    if not path or path in ("-", "<sentences>"):
        return f"slice{i + 1}"
    name = Path(path.rstrip("/")).name
    for suffix in _COMPRESSED:
        if name.lower().endswith(suffix):
            name = name[:-len(suffix)]
    stem = Path(name).stem if Path(name).suffix else name
    return stem or f"slice{i + 1}"


def check_slice_name(name):
    """Raise EmbkitError unless ``name`` can name a slice (and its file in the output directory).

    Parameters
    ----------
    name : str

    Raises
    ------
    EmbkitError
        Empty, ``compass``, starting with a dot, or holding a path separator,
        a comma or a control character.
    """
    if not isinstance(name, str) or not name.strip():
        raise (InvalidParameterError if isinstance(name, str) else ParameterTypeError)(
            f"slice names must be non-empty strings, got {name!r}")
    if name == COMPASS:
        raise InvalidParameterError("'compass' cannot name a slice: compass.embkit is the compass's file")
    if name.startswith(".") or any(c in name for c in "/\\,") or any(ord(c) < 32 for c in name):
        raise InvalidParameterError(f"slice name {name!r} cannot name a file: no leading dot, slash, backslash, comma "
                                    "or control character")


def slice_path(directory, name, format=None):
    """``directory/<name>.embkit`` (``.vec`` or ``.bin`` for those formats).

    Parameters
    ----------
    directory : str or os.PathLike
    name : str
    format : {None, "native", "word2vec", "word2vec-bin", "fasttext-bin"}

    Returns
    -------
    pathlib.Path
    """
    return Path(directory) / f"{name}{EXTENSIONS[format]}"


def compass_path(directory):
    """``directory/compass.embkit``.

    Parameters
    ----------
    directory : str or os.PathLike

    Returns
    -------
    pathlib.Path
    """
    return Path(directory) / f"{COMPASS}.embkit"


def new_manifest(method, model, settings):
    """The manifest of a run before any model is trained.

    Parameters
    ----------
    method : {"cade", "procrustes"}
    model : str
        ``"cbow"`` or ``"sgns"``.
    settings : dict
        The estimator's and the aligner's parameters (JSON values).

    Returns
    -------
    dict
        ``format``, ``format_version``, ``method``, ``model``, ``settings``,
        ``compass`` (None), ``slices`` (empty), ``complete`` (False),
        ``embkit_version`` and ``created``.
    """
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "method": method, "model": model,
            "settings": settings, "compass": None, "slices": [], "shared_vocabulary": None, "complete": False,
            "embkit_version": __version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def write_manifest(directory, manifest):
    """Write ``directory/manifest.json`` atomically.

    Parameters
    ----------
    directory : str or os.PathLike
    manifest : dict
        JSON-serialisable.
    """
    with output_file(Path(directory) / MANIFEST, "w", what="an alignment manifest") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


def read_manifest(directory):
    """Read ``directory/manifest.json``.

    Parameters
    ----------
    directory : str or os.PathLike

    Returns
    -------
    dict

    Raises
    ------
    EmbkitError
        No such directory, a file or a model instead of a directory (a
        NotDirectoryError: "not an alignment output directory"), no
        manifest, not JSON, or not an alignment manifest (the message names
        the file).
    """
    path = Path(directory) / MANIFEST
    if is_model_dir(directory) or (Path(directory).exists() and not Path(directory).is_dir()):
        kind = "a model" if is_model_dir(directory) else "a file"
        raise NotDirectoryError(errno.ENOTDIR, "not an alignment output directory", directory,
                                message=f"{show_path(directory)}: {kind}, not an alignment output directory "
                                        "(write one with `embkit align CORPUS_A CORPUS_B -o DIR`)")
    if not Path(directory).is_dir():
        raise MissingFileError(errno.ENOENT, "no such directory", directory,
                               message=f"{directory}: no such directory (write one with `embkit align CORPUS_A "
                                       f"CORPUS_B -o {directory}`)")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise MissingFileError(errno.ENOENT, f"missing; {directory} is not an `embkit align` output", path,
                               message=f"{path}: missing; {directory} is not an `embkit align` output") from None
    except (OSError, ValueError) as exc:
        raise (file_error(exc, path, message=f"{path}: unreadable ({exc})") if isinstance(exc, OSError)
               else FormatError(path, None, f"unreadable ({exc})")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise FormatError(path, None, f"not an alignment manifest (expected format {FORMAT!r})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise FormatError(path, None, f"unsupported format version {manifest.get('format_version')!r} "
                                      f"(this embkit reads {FORMAT_VERSION})")
    return manifest


class AlignedSlices:
    """Vectors of several slices in one coordinate system, with the compass and the run's manifest.

    Parameters
    ----------
    slices : mapping of str to KeyedVectors
        Slice name to its vectors, in slice order.
    compass : KeyedVectors, optional
        The compass (method ``cade``).
    manifest : dict, optional
        The run's record (see the module docstring).

    Attributes
    ----------
    slices : dict of str to KeyedVectors
    compass : KeyedVectors or None
    manifest : dict
    """

    def __init__(self, slices, compass=None, manifest=None):
        self.slices = dict(slices)
        self.compass = compass
        self.manifest = dict(manifest or {})

    @property
    def names(self):
        """The slice names, in order (list of str)."""
        return list(self.slices)

    def __len__(self):
        return len(self.slices)

    def __iter__(self):
        return iter(self.slices)

    def __contains__(self, name):
        return name in self.slices

    def __getitem__(self, name):
        try:
            return self.slices[name]
        except KeyError:
            raise KeyNotFoundError(name, message=f"no slice {name!r}; the slices are: "
                                                 f"{', '.join(self.slices)}") from None

    def __repr__(self):
        sizes = ", ".join(f"{n}: {len(kv)}" for n, kv in self.slices.items())
        return f"<AlignedSlices ({self.manifest.get('method', '?')}) {sizes}>"

    @classmethod
    def load(cls, directory, mmap="r"):
        """Read an alignment directory written by ``embkit align`` or :meth:`CompassAligner.fit`.

        Parameters
        ----------
        directory : str or os.PathLike
        mmap : {None, "r"}
            Memory-map native models (default) or read them into memory.

        Returns
        -------
        AlignedSlices

        Raises
        ------
        EmbkitError
            A missing or malformed manifest, or a slice file it lists that
            is missing (the message names it).
        FormatError
            A malformed model file.
        """
        from ..io import load

        directory = Path(directory)
        manifest = read_manifest(directory)
        slices = {}
        for entry in manifest.get("slices") or []:
            path = directory / entry["file"]
            if not path.exists():
                raise MissingFileError(errno.ENOENT, f"listed in {directory / MANIFEST} but missing", path,
                                       message=f"{path}: listed in {directory / MANIFEST} but missing")
            slices[entry["name"]] = load(path, mmap=mmap if is_model_dir(path) else None)
        if not slices:
            raise FormatError(directory / MANIFEST, None, "lists no trained slice (was the run interrupted? "
                                                          "continue it with `embkit align ... --skip-existing`)")
        compass = None
        if manifest.get("compass") and (directory / manifest["compass"]["file"]).exists():
            compass = load(directory / manifest["compass"]["file"], mmap=mmap)
        return cls(slices, compass, manifest)


_COMPASS_CHECKS = ("dim", "model", "min_count", "max_vocab_size", "tokenizer", "lowercase")
_SUBWORD_CHECKS = ("minn", "maxn", "bucket")


def check_compass(compass, model_name, p, source):
    """Raise EmbkitError unless ``compass`` fits an estimator with parameters ``p``.

    Parameters
    ----------
    compass : KeyedVectors
    model_name : str
        The estimator's model (``"cbow"``, ``"sgns"``).
    p : dict
        The estimator's checked parameters.
    source : str
        How the message names the compass (e.g. its path).

    Raises
    ------
    EmbkitError
        No context matrix or counts, or a dim, model, ``min_count``,
        ``max_vocab_size``, tokenizer or lowercase setting (and for fastText
        models ``minn``, ``maxn`` or ``bucket``) that differs
        (the message names both values and the way out).
    """
    if compass.context is None or compass.counts is None:
        raise InvalidDataError(f"{source} has no context matrix or counts: a compass must be saved in the native "
                               "format (.embkit)")
    params = compass.meta.get("params") or {}
    given = {"dim": p["dim"], "model": model_name, **{k: getattr(p[k], "kind", p[k]) for k in _COMPASS_CHECKS[2:]}}
    found = {"dim": compass.dim, "model": compass.meta.get("model"), **{k: params.get(k) for k in _COMPASS_CHECKS[2:]}}
    for k in _SUBWORD_CHECKS:                    # a fastText estimator: the compass's n-gram rows must fit
        if k in p:
            given[k], found[k] = p[k], params.get(k)
    for k in given:
        if k == "tokenizer" and found[k] == "given":     # trained on token lists: no tokenizer to compare
            continue
        if found[k] != given[k] and (found[k] is not None or k == "dim"):
            raise InvalidParameterError(f"{source} was trained with {k}={found[k]!r} but the options give "
                                        f"{k}={given[k]!r}; remove it (and the slices aligned to it) or write to "
                                        "another directory")


def _input_paths(corpora):
    out = []
    for c in corpora:
        if isinstance(c, (str, Path)):
            out.append(str(c))
        elif isinstance(c, (list, tuple)):
            out.extend(str(x) for x in c if isinstance(x, (str, Path)))
    return out


def _load(path, fmt):
    from ..io import load

    return load(path, format=fmt, mmap="r" if fmt in (None, "native") else None)


class OutputDirectory:
    """An alignment's output directory: checked before any training, then written model by model.

    Parameters
    ----------
    directory : str or os.PathLike
        Created when missing (its parent must exist); must not be a model or a file.
    names : sequence of str
        The slice names (their files are checked writable).
    fmt : {None, "native", "word2vec", "word2vec-bin", "fasttext-bin"}
        Format of the slice files.
    skip_existing : bool
        Offer the compass and the slices found there for reuse, those that
        belong to this run only (see :mod:`embkit.models._reuse`).
    model_name : str
        The estimator's model, checked against an existing compass.
    p : dict
        The estimator's checked parameters, checked against an existing
        compass; the files of its ``phrases`` and ``terms`` are inputs too.
    corpora : sequence
        The inputs (paths, or lists of paths), which no output may replace.
    method : {"cade", "procrustes"}
        The run's method, checked against the directory's manifest with
        ``skip_existing``.

    Attributes
    ----------
    dir : pathlib.Path
    compass : pathlib.Path
        ``dir/compass.embkit``.
    sources : dict of str to (list of dict or None)
        With ``skip_existing``: each slice's sources (resolved paths and
        sizes; None for corpora that are not files).

    Raises
    ------
    EmbkitError
        An output that cannot be written, or an existing ``compass.embkit``
        that does not fit the options (with or without ``skip_existing``:
        its slices would not be comparable with new ones).  With
        ``skip_existing``: a directory holding an alignment of another
        method or model, or a compass or slice trained on other corpora
        (the message names both).
    """

    def __init__(self, directory, names, fmt, skip_existing, model_name, p, corpora, method="cade"):
        from ..formats import check_output

        self.dir, self.fmt, self.skip = Path(directory), fmt, bool(skip_existing)
        if is_model_dir(self.dir) or (self.dir.exists() and not self.dir.is_dir()):
            raise InvalidParameterError(f"{directory}: is a model or a file; the output of an alignment is a "
                                        "directory of models (choose another -o)")
        inputs = _input_paths(corpora) + _params.input_files(_params.CORPUS, p)     # the corpora, terms files
        self.compass = compass_path(self.dir)
        check_output(self.compass, "native", inputs=inputs, creates=self.dir)
        for name in names:
            check_output(self.slice(name), self.fmt, inputs=inputs, creates=self.dir)
        check_file_output(self.dir / MANIFEST, inputs, what="an alignment manifest", creates=self.dir)
        self._compass = None
        if self.compass.exists():
            self._compass = _load(self.compass, "native")
            check_compass(self._compass, model_name, p, str(self.compass))
        self.sources, self._previous, self._compass_fits = {}, {}, False
        if self.skip:
            self._check_existing(names, corpora, method, model_name)
        elif (self.dir / MANIFEST).is_file():
            try:
                held = [e.get("name") for e in read_manifest(self.dir).get("slices") or [] if isinstance(e, dict)]
            except EmbkitError:
                held = []
            log.warning("%s holds an alignment already%s; this run replaces its compass, manifest and the slices "
                        "of the same names as it writes them, and leaves other files there (--skip-existing would "
                        "reuse the models that belong to this run)", directory,
                        f" (slices {', '.join(map(str, held))})" if held else "", extra={"params": ("skip_existing",)})

    def _check_existing(self, names, corpora, method, model_name):
        """Refuse, before any training, a directory whose models were made by another method or from other corpora."""
        self.sources = {n: reuse.corpus_sources(c) for n, c in zip(names, corpora)}
        if (self.dir / MANIFEST).is_file():
            manifest = read_manifest(self.dir)
            reuse.check_run(manifest, method, model_name, self.dir / MANIFEST)
            self._previous = {e["name"]: e for e in manifest.get("slices") or [] if isinstance(e, dict) and "name" in e}
        if self._compass is not None and method == "cade":
            recorded = (self._compass.meta.get("compass") or {}).get("sources")
            self._compass_fits = reuse.check_compass_sources(self.compass, recorded, self.sources)
        for name in names:
            reuse.check_slice_sources(self.slice(name), name, self.record(name), self.sources[name])

    def slice(self, name):
        """The file of slice ``name`` (pathlib.Path).

        Parameters
        ----------
        name : str
        """
        return slice_path(self.dir, name, self.fmt)

    def record(self, name):
        """How slice ``name`` found in the directory was made, or None (no file, or nothing records it).

        Native models record it in their ``meta.json``; for the formats
        that hold no metadata, the previous ``manifest.json`` entry naming
        the same file is the record.

        Parameters
        ----------
        name : str

        Returns
        -------
        dict or None
            As a manifest slice entry (``method``, ``sources``, statistics,
            ``compass_sha256`` or ``reference_sha256``, ``settings``).
        """
        path = self.slice(name)
        if not path.exists():
            return None
        if self.fmt in (None, "native"):
            return reuse.record_from_meta(_load(path, self.fmt), name, path.name)
        entry = self._previous.get(name)
        return entry if entry is not None and entry.get("file") == path.name else None

    def existing_compass(self):
        """The compass found in the directory, with ``skip_existing``, when trained on this run's corpora.

        Returns
        -------
        KeyedVectors or None
            None without ``skip_existing`` or a compass, or when its corpora
            cannot be compared with this run's (not files; a warning says so).
        """
        if not self.skip or self._compass is None:
            return None
        if not self._compass_fits:
            log.warning("not reusing %s: its corpora cannot be compared with this run's (corpora that are not "
                        "files, or a compass that records none); training it again", show_path(self.compass))
            return None
        return self._compass

    def existing_slice(self, name, method, compass_sha=None, reference=None):
        """Slice ``name`` found in the directory, with ``skip_existing``, when its record says it belongs to this run.

        Parameters
        ----------
        name : str
        method : {"cade", "procrustes"}
        compass_sha : str, optional
            ``cade``: the identity of the compass in use (None: trained in this run).
        reference : (str, str or None), optional
            ``procrustes``: the reference slice and its identity (None: trained in this run).

        Returns
        -------
        (KeyedVectors, dict) or None
            The slice and its record; None when there is none, or when it
            does not belong to the run (a one-line warning says why: it is
            trained again).
        """
        path = self.slice(name)
        if not self.skip or not path.exists():
            return None
        record = self.record(name)
        why = reuse.stale_reason(name, record, method, self.sources.get(name), compass_sha, reference)
        if why is not None:
            log.warning("slice %s: not reusing %s: %s; training it again", name, show_path(path), why)
            return None
        return _load(path, self.fmt), record

    def write_compass(self, kv, manifest):
        """Write the compass (native) and the manifest.

        Parameters
        ----------
        kv : KeyedVectors
        manifest : dict
        """
        self.dir.mkdir(exist_ok=True)            # the one directory an alignment creates (its parent was checked)
        kv.save(self.compass, format="native")
        self.write_manifest(manifest)

    def write_slice(self, name, kv, manifest):
        """Write slice ``name`` and the manifest.

        Parameters
        ----------
        name : str
        kv : KeyedVectors
        manifest : dict
        """
        self.dir.mkdir(exist_ok=True)
        kv.save(self.slice(name), format=self.fmt)
        self.write_manifest(manifest)

    def write_manifest(self, manifest):
        """Write ``manifest.json`` atomically, each slice entry naming its file.

        Parameters
        ----------
        manifest : dict
        """
        for e in manifest["slices"]:
            e.setdefault("file", self.slice(e["name"]).name)
        self.dir.mkdir(exist_ok=True)
        write_manifest(self.dir, manifest)
