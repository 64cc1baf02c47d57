"""Security headers, safe redirects and rate-limit keys."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from flask import current_app, request, url_for
from flask_login import current_user


def content_security_policy() -> str:
    tiles = current_app.config["SPACE_CSP_IMG_SOURCES"]
    img = " ".join(["'self'", "data:", *tiles])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def is_safe_url(target: str | None) -> bool:
    """True for a path on this site (no scheme, no other host, no protocol-relative URL)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    base = urlsplit(request.host_url)
    test = urlsplit(urljoin(request.host_url, target))
    return test.scheme in {"http", "https"} and test.netloc == base.netloc


def safe_next(target: str | None, default: str = "core.home") -> str:
    """``target`` when it is safe, else the URL of ``default``."""
    if target and is_safe_url(target) and not target.startswith("//"):
        return target
    return url_for(default)


def rate_limit_key() -> str:
    """Per signed-in user, else per client address."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.get_id()}"
    return f"ip:{request.remote_addr or 'unknown'}"


def client_ip_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"
