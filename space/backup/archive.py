"""The backup file: its layout, the manifest, how values are written, and reading it safely.

A backup is a gzip-compressed tar file, the manifest first so that a reader knows at once
what to expect:

    manifest.json            what the file holds (``Manifest``)
    tables/<table>.jsonl     one JSON array per row, in the manifest's column order
    uploads/<stored name>    the uploaded images, as kept under SPACE_UPLOAD_DIR

Values are written by *kind*, taken from the model's column type, so that a backup of SQLite
loads into PostgreSQL and back: datetimes in ISO 8601 (with their offset when the column
keeps a zone, so UTC stays UTC; naive wall-clock times stay naive), dates and times in ISO
8601, JSON columns as JSON, bytes in base64, decimals as strings, enums as the text stored;
integers, floats, strings, booleans and NULL as themselves.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Time,
    TypeDecorator,
    Uuid,
)

from space.uploads import STORED_NAME

FORMAT = "space-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}", re.ASCII)
# A manifest lists tables and uploads; anything near this size is not one.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be written, read or restored; the message says why, for a person."""


@dataclass
class Manifest:
    """What a backup holds. ``tables``: name -> {"columns": ["name:kind", …] in the order of
    the values of a row, "rows": n, "sha256": hex}; ``uploads``: stored name -> {"size": n,
    "sha256": hex}."""

    space_version: str
    revision: str  # the database's Alembic revision when it was read
    database: str  # the SQLAlchemy dialect it was read from
    created_at: str  # ISO 8601, UTC
    tables: dict[str, dict] = field(default_factory=dict)
    uploads: dict[str, dict] = field(default_factory=dict)
    # Files named by ``upload`` rows but absent from SPACE_UPLOAD_DIR when it was written.
    uploads_missing: list[str] = field(default_factory=list)
    # Tables in the database but not in the models (a plugin switched off): not in the file.
    tables_left_out: list[str] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self.tables.values())

    def members(self) -> dict[str, str]:
        """Every file the tar holds after the manifest, with its SHA-256."""
        found = {table_member(name): entry["sha256"] for name, entry in self.tables.items()}
        found.update({upload_member(name): entry["sha256"] for name, entry in self.uploads.items()})
        return found

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The manifest in ``data``; BackupError unless it is one this Space can read."""
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupError("this is not a Space backup (its manifest is foreign)")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"this backup has format version {raw.get('format_version')!r}, which this "
                    f"Space cannot read (it reads version {FORMAT_VERSION}; try a newer Space)"
                )
            manifest = cls(**raw)
            problem = _problem(manifest)
        except BackupError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(f"the backup's manifest is damaged ({error!r})") from None
        if problem:
            raise BackupError(f"the backup's manifest is damaged: {problem}")
        return manifest


def _problem(manifest: Manifest) -> str | None:
    """What is wrong with a manifest read from a file, or None."""
    if not isinstance(manifest.revision, str):
        return "no revision"
    for name, entry in manifest.tables.items():
        if not TABLE_NAME.fullmatch(name):
            return f"a strange table name, {name!r}"
        if any(kind not in KINDS for _column, kind in column_kinds(entry)):
            return f"an unknown kind of value in {name}"
        if not isinstance(entry["rows"], int) or not isinstance(entry["sha256"], str):
            return f"no row count or checksum for {name}"
    for name, entry in manifest.uploads.items():
        if not STORED_NAME.fullmatch(name) or not isinstance(entry["sha256"], str):
            return f"a strange uploaded file, {name!r}"
    return None


def column_kinds(entry: dict) -> list[tuple[str, str]]:
    """(name, kind) of the columns of a manifest's table entry."""
    return [tuple(column.rsplit(":", 1)) for column in entry["columns"]]


def table_member(name: str) -> str:
    return f"tables/{name}.jsonl"


def upload_member(name: str) -> str:
    return f"uploads/{name}"


# ---------------------------------------------------------------------------- values


def _iso(value) -> str:
    return value.isoformat()


def _same(value):
    return value


# kind -> (encode for the file, decode from the file); None passes through both.
KINDS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "int": (_same, int),
    "float": (_same, float),
    "bool": (_same, bool),
    "str": (_same, str),
    "json": (_same, _same),
    "datetime": (_iso, datetime.fromisoformat),
    "date": (_iso, date.fromisoformat),
    "time": (_iso, time.fromisoformat),
    "decimal": (str, Decimal),
    "bytes": (lambda v: base64.b64encode(v).decode("ascii"), base64.b64decode),
    "uuid": (str, uuid.UUID),
}


def kind_of(type_) -> str:
    """The kind of values a column of SQLAlchemy type ``type_`` holds, from what it stores.

    Raises BackupError for a type no kind describes faithfully (a new column type needs a
    kind here before it can be backed up).
    """
    if isinstance(type_, TypeDecorator):
        return kind_of(type_.impl_instance)
    for base, kind in (
        (DateTime, "datetime"), (Date, "date"), (Time, "time"), (JSON, "json"),
        (LargeBinary, "bytes"), (Float, "float"), (Numeric, "decimal"), (Boolean, "bool"),
        (Integer, "int"), (Uuid, "uuid"), (String, "str"),
    ):  # fmt: skip
        if isinstance(type_, base):
            return kind
    raise BackupError(f"columns of type {type_!r} cannot be backed up yet")


def encoder(kinds: list[str]) -> Callable[[tuple], bytes]:
    """A function writing one row (values in column order) as a line of the table file."""
    encoders = [KINDS[kind][0] for kind in kinds]

    def encode(row) -> bytes:
        values = [None if v is None else enc(v) for enc, v in zip(encoders, row, strict=True)]
        return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    return encode


def read_rows(path: Path, kinds: list[str]) -> Iterator[list]:
    """The rows of a table file, decoded (one list of values per row, in column order)."""
    decoders = [KINDS[kind][1] for kind in kinds]
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                values = json.loads(line)
                yield [
                    None if v is None else dec(v) for dec, v in zip(decoders, values, strict=True)
                ]
            except (ValueError, TypeError) as error:
                raise BackupError(f"{path.name}, row {number}: unreadable ({error})") from None


# ---------------------------------------------------------------------------- files


class HashingWriter:
    """A file being written whose SHA-256 and line count are kept on the way."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        self._hash = hashlib.sha256()
        self.lines = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.lines += 1

    def close(self) -> str:
        """Close the file; returns its SHA-256."""
        self._file.close()
        return self._hash.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pack(target: Path, manifest: Manifest, staging: Path, upload_dir: Path) -> None:
    """Write the backup file ``target``: the manifest, the staged table files, the uploads.

    Written under a temporary name and renamed at the end, so ``target`` is never half there.
    """
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o644, int(datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name in manifest.tables:
                tar.add(staging / table_member(name), arcname=table_member(name))
            for name in manifest.uploads:
                tar.add(upload_dir / name, arcname=upload_member(name))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def unpack(source: Path, folder: Path) -> Manifest:
    """Unpack the backup ``source`` into ``folder``, checking every file against the manifest.

    Raises BackupError when ``source`` is not a Space backup, is damaged or truncated, or
    holds anything the manifest does not list; nothing is written outside ``folder``.
    """
    try:
        with tarfile.open(source, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(f"{source} is not a Space backup (no manifest at its start)")
            if first.size > MAX_MANIFEST_BYTES:
                raise BackupError(f"{source} is not a Space backup (its manifest is too large)")
            manifest = Manifest.from_json(tar.extractfile(first).read())
            expected = manifest.members()
            while (member := tar.next()) is not None:
                checksum = expected.pop(member.name, None)
                if checksum is None or not member.isfile():
                    raise BackupError(
                        f"{source} holds {member.name!r}, which its manifest does not list"
                    )
                if _extract(tar.extractfile(member), folder / member.name) != checksum:
                    raise BackupError(f"{source} is damaged: {member.name} fails its checksum")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{source} is not a readable backup file ({error})") from None
    if expected:
        missing = ", ".join(sorted(expected)[:5])
        raise BackupError(f"{source} is incomplete: {missing} missing")
    return manifest


def _extract(stream, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("wb") as file:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()
