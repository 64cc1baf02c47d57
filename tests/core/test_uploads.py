"""Image uploads (space/uploads.py): accepted formats and their sizes, refusals with a 4xx
and a message, deduplication, serving headers, safe names, permissions and CSRF."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from space import uploads
from space.db import db
from space.moderation import penalties
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token

# ---------------------------------------------------------------------------- tiny images


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png(width: int = 2, height: int = 3, *, pixels: bool = True) -> bytes:
    """A real PNG (8-bit grey) of ``width`` × ``height`` pixels (only its header and end
    when ``pixels`` is False: enough to announce a size)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height)) if pixels else b""
    data = _chunk(b"IDAT", zlib.compress(rows)) if pixels else b""
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + data + _chunk(b"IEND", b"")


def jpeg(width: int = 3, height: int = 2) -> bytes:
    """A real baseline JPEG (one grey 8×8 block): one-code Huffman tables, DC 0 then EOB."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quantization = b"\x00" + b"\x01" * 64
    frame = b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    dc_table = b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    ac_table = b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + segment(0xE0, jfif)
        + segment(0xDB, quantization)
        + segment(0xC0, frame)
        + segment(0xC4, dc_table)
        + segment(0xC4, ac_table)
        + segment(0xDA, scan)
        + b"\x3f"  # DC difference 0 ("0"), end of block ("0"), padded with ones
        + b"\xff\xd9"
    )


# A 1×1 GIF, and 1×1 WebP images: lossless (VP8L), lossy (VP8) and extended (VP8X + alpha).
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
WEBP_LOSSLESS = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
WEBP_LOSSY = base64.b64decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
WEBP_EXTENDED = base64.b64decode(
    "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0B"
    "KgEAAQAAAP4AAA3AAP7mtQAAAA=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture
def app_config(tmp_path, request):
    """Uploads go to the test's folder, at most 4 KiB (plus what a test asks for)."""
    config = {"SPACE_UPLOAD_DIR": str(tmp_path / "uploads"), "SPACE_UPLOAD_MAX_BYTES": 4096}
    return {**config, **getattr(request, "param", {})}


@pytest.fixture
def member(login):
    person = factories.user("uploader", trust_level=TrustLevel.BASIC)
    login(person)
    return person


@pytest.fixture
def send(client):
    """``send(data, name=…, content_type=…)`` posts a file to /uploads with the CSRF header."""

    def do(data: bytes, name="picture.png", content_type="image/png", *, token=True, field="file"):
        headers = {"X-CSRFToken": csrf_token(client, "/")} if token else {}
        return client.post(
            "/uploads",
            data={field: (io.BytesIO(data), name, content_type)},
            headers=headers,
            content_type="multipart/form-data",
        )

    return do


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(uploads.Upload))


# ---------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("data", "ext", "content_type", "size"),
    [
        (png(2, 3), "png", "image/png", (2, 3)),
        (jpeg(3, 2), "jpg", "image/jpeg", (3, 2)),
        (GIF, "gif", "image/gif", (1, 1)),
        (WEBP_LOSSLESS, "webp", "image/webp", (1, 1)),
        (WEBP_LOSSY, "webp", "image/webp", (1, 1)),
        (WEBP_EXTENDED, "webp", "image/webp", (1, 1)),
    ],
)
def test_images_are_accepted_and_described(app, member, send, data, ext, content_type, size):
    # The client's name and type are ignored: the bytes decide.
    response = send(data, name="whatever.txt", content_type="text/plain")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    upload = db.session.get(uploads.Upload, body["id"])
    assert upload.filename.endswith(f".{ext}") and len(upload.filename) == 32 + 1 + len(ext)
    assert body == {"url": f"/uploads/{upload.filename}", "id": upload.id,
                    "width": size[0], "height": size[1]}  # fmt: skip
    assert upload.content_type == content_type
    assert upload.size == len(data) and upload.user_id == member.id
    assert upload.original_name == "whatever.txt"
    stored = Path(app.config["SPACE_UPLOAD_DIR"]) / upload.filename
    assert stored.read_bytes() == data


def test_the_field_may_be_called_image(member, send):
    response = send(png(), field="image")
    assert response.status_code == 200 and response.get_json()["width"] == 2


def test_dimensions_are_read_from_the_headers():
    assert uploads.dimensions("png", png(640, 480)) == (640, 480)
    assert uploads.dimensions("jpg", jpeg(1024, 768)) == (1024, 768)
    # A JPEG whose frame header comes after a large metadata segment.
    exif = b"\xff\xe1" + struct.pack(">H", 3002) + b"\x00" * 3000
    big = jpeg(5, 7)
    assert uploads.dimensions("jpg", big[:2] + exif + big[2:]) == (5, 7)
    assert uploads.dimensions("gif", b"GIF89a" + struct.pack("<HH", 300, 200)) == (300, 200)
    assert uploads.dimensions("png", b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert uploads.dimensions("jpg", b"\xff\xd8\xff\xd9") is None
    assert uploads.dimensions("webp", b"RIFF\x00\x00\x00\x00WEBPVP8X") is None


# ---------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (SVG, 422, "PNG, JPEG, GIF and WebP"),
        (HTML, 422, "PNG, JPEG, GIF and WebP"),
        (b"", 400, "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, 422, "damaged"),
        (png(0, 5), 422, "damaged"),
        (png(10_000, 5_001, pixels=False), 422, "too many pixels"),
    ],
)
def test_bad_files_are_refused_with_a_message(member, send, data, status, words):
    response = send(data, name="image.png", content_type="image/png")
    assert response.status_code == status
    assert words in response.get_json()["message"]
    assert _count() == 0


@pytest.mark.parametrize("data", [b"GIF89a<script>alert(1)</script>", b"GIF89a\x00\x00\x00\x00"])
def test_text_behind_an_image_signature_is_refused(member, send, data):
    # "GIF89a" then text: the size it announces is made of the text's bytes (here 15 420 ×
    # 26 995 pixels), or zero: no image.
    response = send(data)
    assert response.status_code == 422 and response.get_json()["message"]
    assert _count() == 0


def test_oversized_files_are_refused(app, member, send):
    limit = app.config["SPACE_UPLOAD_MAX_BYTES"]
    padded = png() + b"\x00" * limit  # a valid start, too many bytes
    response = send(padded)
    assert response.status_code == 413
    assert "too large" in response.get_json()["message"]
    assert "MB" in response.get_json()["message"]
    assert _count() == 0
    assert not any(Path(app.config["SPACE_UPLOAD_DIR"]).glob("*"))


def test_bodies_far_above_the_limit_get_json_413(member, send):
    response = send(png() + b"\x00" * (200 * 1024))
    assert response.status_code == 413
    assert "too large" in response.get_json()["message"]


def test_upload_limit_may_exceed_the_site_wide_body_limit(app, client, member):
    app.config["SPACE_UPLOAD_MAX_BYTES"] = 3 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    big = png() + b"\x00" * (2 * 1024 * 1024)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), "big.png")})
    response = client.post(
        "/uploads",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert response.status_code == 200, response.get_json()
    assert db.session.get(uploads.Upload, response.get_json()["id"]).size == len(big)


def test_missing_file_is_refused(client, member):
    response = client.post(
        "/uploads", data={"other": "x"}, headers={"X-CSRFToken": csrf_token(client, "/")}
    )
    assert response.status_code == 400
    assert response.get_json() == {"message": "Choose an image to upload."}


def test_service_raises_upload_error(app):
    with pytest.raises(uploads.UploadError) as refused:
        uploads.save(FileStorage(io.BytesIO(SVG), "x.svg"), None)
    assert refused.value.status == 422 and "WebP" in refused.value.message


# ---------------------------------------------------------------------------- deduplication


def test_same_bytes_twice_give_the_same_upload(app, member, send):
    first = send(png(4, 4), name="one.png").get_json()
    second = send(png(4, 4), name="two.png").get_json()
    assert first == second
    assert _count() == 1
    assert db.session.get(uploads.Upload, first["id"]).original_name == "one.png"
    assert len(list(Path(app.config["SPACE_UPLOAD_DIR"]).iterdir())) == 1
    other = send(png(5, 4)).get_json()
    assert other["id"] != first["id"] and _count() == 2


def test_dedupe_in_the_service_and_a_missing_file_is_written_again(app):
    person = factories.user()
    upload = uploads.save(FileStorage(io.BytesIO(GIF), "a.gif"), person)
    db.session.commit()
    path = uploads.path_for(upload.filename)
    path.unlink()
    again = uploads.save(FileStorage(io.BytesIO(GIF), "b.gif"), None)
    assert again.id == upload.id and path.read_bytes() == GIF


def test_names_from_the_client_are_cleaned(app):
    upload = uploads.save(FileStorage(io.BytesIO(GIF), "C:\\dir\\..\\x\x07y.gif"), None)
    assert upload.original_name == "xy.gif"


# ---------------------------------------------------------------------------- serving


def test_served_with_safe_headers(client, member, send):
    url = send(png()).get_json()["url"]
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.data == png()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    cache = response.cache_control
    assert cache.public and cache.max_age == 365 * 24 * 3600 and cache.immutable
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["ETag"]
    with client.get(url, headers={"If-None-Match": response.headers["ETag"]}) as again:
        assert again.status_code == 304 and again.data == b""


def test_served_to_anonymous_readers(client, app):
    upload = uploads.save(FileStorage(io.BytesIO(jpeg()), "a.jpg"), None)
    db.session.commit()
    with client.get(uploads.url(upload)) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data == jpeg()


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/" + "a" * 32 + ".png",  # well formed, unknown
        "/uploads/" + "A" * 32 + ".png",
        "/uploads/" + "a" * 31 + ".png",
        "/uploads/" + "a" * 32 + ".svg",
        "/uploads/" + "a" * 32 + ".png%0a",
        "/uploads/..%2Fsecret_key",
        "/uploads/../secret_key",
        "/uploads/%2e%2e%2fsecret_key",
        "/uploads/..",
        "/uploads/secret_key",
        "/uploads/.upload-tmp",
    ],
)
def test_unknown_or_malformed_names_are_404(client, app, path):
    Path(app.config["SPACE_UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    (Path(app.config["SPACE_UPLOAD_DIR"]) / ".upload-tmp").write_bytes(png())
    assert client.get(path).status_code == 404


def test_path_for_only_takes_stored_names(app):
    root = Path(app.config["SPACE_UPLOAD_DIR"])
    name = "0123456789abcdef" * 2 + ".webp"
    assert uploads.path_for(name) == root / name
    for bad in ["../x.png", "/etc/passwd", name + "\n", name.upper(), "a.png", "", None]:
        assert uploads.path_for(bad) is None


# ---------------------------------------------------------------------------- who may


def test_anonymous_may_not_upload(client, send):
    response = send(png())
    assert response.status_code == 401
    assert response.get_json()["message"] == "Sign in to upload images."
    assert _count() == 0


def test_new_members_may_not_upload(client, login, send):
    login(factories.user("newbie", trust_level=TrustLevel.NEW))
    response = send(png())
    assert response.status_code == 403 and response.get_json()["message"]
    assert _count() == 0


def test_silenced_members_may_not_upload(client, login, send):
    person = factories.user("quiet", trust_level=TrustLevel.MEMBER)
    penalties.silence(person, by=factories.moderator(), reason="Spam", days=3)
    db.session.commit()
    login(person)
    response = send(png())
    assert response.status_code == 403
    assert response.get_json()["message"]
    assert _count() == 0


def test_csrf_token_is_required(client, member, send):
    response = send(png(), token=False)
    assert response.status_code == 400
    assert "expired" in response.get_json()["message"]
    assert _count() == 0


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "SPACE_RATELIMIT_UPLOAD": "2 per minute"}],
    indirect=True,
)
def test_rate_limited(member, send):
    assert send(png(1, 1)).status_code == 200
    assert send(png(1, 2)).status_code == 200
    refused = send(png(1, 3))
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_json()["message"]
