"""Image uploads: the ``Upload`` record, ``save`` (checks and content-addressed storage) and
the two routes, GET /uploads/<filename> (serve) and POST /uploads (JSON, for image pickers).

Only PNG, JPEG, GIF and WebP are accepted, recognised by their first bytes (never by the
client's content type or file name); SVG and anything else is refused. A file is stored once
under ``SPACE_UPLOAD_DIR`` as ``<first 32 hex of its SHA-256>.<ext>``: the same bytes sent
twice give the same ``Upload`` row. Width and height are read from the image header, without
decoding the image.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.exceptions import HTTPException

from space.db import UTCDateTime, db, utcnow
from space.extensions import limiter
from space.permissions import require

# Extension and content type per recognised format.
TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
# Larger canvases are refused: a few bytes may announce billions of pixels to decode.
MAX_PIXELS = 50_000_000
# Stored names: 32 lowercase hex digits and one of the known extensions, nothing else.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:png|jpg|gif|webp)", re.ASCII)
# Served files never change under their name.
ONE_YEAR = 365 * 24 * 3600
# Room for the multipart envelope around the file in a POST /uploads body.
ENVELOPE_BYTES = 64 * 1024


class Upload(db.Model):
    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The stored name, "<sha256[:32]>.<ext>".
    filename: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The name on the uploader's disk, for display only.
    original_name: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User", lazy="raise")


class UploadError(Exception):
    """A refused upload: ``message`` is translated, ``status`` the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


# ---------------------------------------------------------------------------- recognising


def sniff(data: bytes) -> str | None:
    """The extension of the image format ``data`` starts with, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def dimensions(kind: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of an image of format ``kind``; None if unreadable."""
    try:
        return _READERS[kind](data)
    except (struct.error, IndexError):
        return None


def _png(data: bytes):
    if data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _gif(data: bytes):
    return struct.unpack("<HH", data[6:10])


# Start-of-frame markers (baseline, progressive, lossless, arithmetic…); C4, C8 and CC are not.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes):
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or pixels before any frame header
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp(data: bytes):
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: a key frame's start code, then 14-bit sizes
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":  # lossless: signature byte, then 14 bits each of size minus one
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: canvas size minus one, 24 bits each
        if len(data) < 30:
            return None
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


_READERS = {"png": _png, "jpg": _jpeg, "gif": _gif, "webp": _webp}


# ---------------------------------------------------------------------------- storing


def max_bytes() -> int:
    return int(current_app.config["SPACE_UPLOAD_MAX_BYTES"])


def too_large_message() -> str:
    megabytes = format_decimal(round(max_bytes() / (1024 * 1024), 1))
    return _("The image is too large: at most %(size)s MB.", size=megabytes)


def save(file_storage, user) -> Upload:
    """Check and store an uploaded image (a werkzeug ``FileStorage``) sent by ``user``.

    Returns the ``Upload`` (added and flushed, not committed): the existing one when the
    same bytes were uploaded before. Raises ``UploadError`` when the file is empty, too
    large, not a PNG, JPEG, GIF or WebP image, or its size cannot be read.
    """
    limit = max_bytes()
    data = file_storage.stream.read(limit + 1)
    if not data:
        raise UploadError(_("The file is empty."), 400)
    if len(data) > limit:
        raise UploadError(too_large_message(), 413)
    kind = sniff(data)
    if kind is None:
        raise UploadError(_("Only PNG, JPEG, GIF and WebP images can be uploaded."), 422)
    size = dimensions(kind, data)
    if size is None or 0 in size:
        raise UploadError(_("This image is damaged: its size cannot be read."), 422)
    if size[0] * size[1] > MAX_PIXELS:
        raise UploadError(
            _("The image has too many pixels: at most %(n)s million.", n=MAX_PIXELS // 10**6),
            422,
        )

    digest = sha256(data).hexdigest()
    filename = f"{digest[:32]}.{kind}"
    _write(filename, data)
    found = db.session.scalar(select(Upload).where(Upload.sha256 == digest))
    if found is not None:
        return found
    upload = Upload(
        sha256=digest,
        filename=filename,
        original_name=_clean_name(file_storage.filename),
        content_type=TYPES[kind],
        size=len(data),
        width=size[0],
        height=size[1],
        user_id=getattr(user, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(upload)
    except IntegrityError:  # the same bytes, saved meanwhile by another request
        upload = db.session.scalar(select(Upload).where(Upload.sha256 == digest))
    return upload


def url(upload: Upload) -> str:
    """The address the image is served at."""
    return f"/uploads/{upload.filename}"


def path_for(filename: str) -> Path | None:
    """Where the stored file ``filename`` lives; None unless it is a well-formed stored
    name (so never outside ``SPACE_UPLOAD_DIR``). The file itself may not exist."""
    if not isinstance(filename, str) or not STORED_NAME.fullmatch(filename):
        return None
    return Path(current_app.config["SPACE_UPLOAD_DIR"]) / filename


def _write(filename: str, data: bytes) -> None:
    """Store ``data`` unless it already is; atomically, so a half-written file is never
    served under its final name."""
    target = path_for(filename)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _clean_name(name: str | None) -> str:
    """The file's own name, without folders or control characters, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:255]


# ---------------------------------------------------------------------------- routes

bp = Blueprint("uploads", __name__)


@bp.url_value_preprocessor
def _allow_image_bodies(endpoint, values):
    """POST /uploads accepts bodies up to the upload limit, above the site-wide
    SPACE_MAX_CONTENT_LENGTH. URL value preprocessors run before every before_request
    function, so the limit is set before the CSRF check reads the form."""
    if endpoint == "uploads.create":
        request.max_content_length = max_bytes() + ENVELOPE_BYTES


@bp.get("/uploads/<filename>")
def serve(filename: str):
    """Serve a stored image: its own content type, inline, cached for a year."""
    require(current_user, "site.read")
    path = path_for(filename)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=TYPES[filename.rsplit(".", 1)[1]],
        download_name=filename,
        conditional=True,
        max_age=ONE_YEAR,
    )
    response.cache_control.immutable = True
    response.headers["Content-Disposition"] = f"inline; filename={filename}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an image may run nothing and load nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.post("/uploads")
@limiter.limit(
    lambda: current_app.config["SPACE_RATELIMIT_UPLOAD"],
    error_message=lambda: _("Too many requests in a short time. Wait a moment and try again."),
)
def create():
    """Upload an image (multipart field "file"; "image" is accepted too): answers
    {"url", "id", "width", "height"}, or {"message"} with 400, 401, 403, 413 or 422."""
    require(current_user, "upload.create")
    sent = request.files.get("file") or request.files.get("image")
    if sent is None:
        return _error(400, _("Choose an image to upload."))
    try:
        upload = save(sent, current_user)
    except UploadError as error:
        return _error(error.status, error.message)
    db.session.commit()
    return jsonify(url=url(upload), id=upload.id, width=upload.width, height=upload.height)


def _error(status: int, message: str):
    return jsonify(message=message), status


def _json_errors(error: HTTPException):
    """POST /uploads answers errors (sign-in, permission, CSRF, size, rate) in JSON."""
    from space import errors

    if request.endpoint != "uploads.create":
        if isinstance(error, CSRFError):
            return errors.handle_csrf(error)
        return errors.handle_http(error)
    code = error.code or 400
    if isinstance(error, CSRFError):
        message = _(
            "Your form expired or came from elsewhere. Go back, reload the page and submit again."
        )
    else:
        message = getattr(error, "space_message", None) or _messages().get(code)
    return _error(code, message or _messages()[400])


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Check what you sent."),
        401: _("Sign in to upload images."),
        403: _("You do not have permission to do this."),
        413: too_large_message(),
        429: _("Too many requests in a short time. Wait a moment and try again."),
    }


# Per status code: the application's own handlers are registered per code (CSRFError: 400),
# and a blueprint's handler for a code comes before the application's for that code.
for _code in (400, 401, 403, 413, 429):
    bp.register_error_handler(_code, _json_errors)
