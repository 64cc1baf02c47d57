"""Who is calling the API, and what the call may do.

- ``Authorization: Bearer space_…`` names a personal token: the request acts as the token's
  owner (Flask-Login's ``current_user``) with the token's scopes. A header that names no live
  token answers 401, whatever cookies come with it.
- Without the header, the browser session (or nobody) may only read. Changes need a token;
  that is also why the API blueprints skip CSRF checks: another site can make a browser send
  its cookies, but not this header.
- The ``read`` scope allows GET, HEAD and OPTIONS; ``write`` allows everything else.

Only requests to blueprints registered on the API (``is_api_request``) are affected; a token
opens no HTML page.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from space import security
from space.api import tokens
from space.db import db
from space.extensions import limiter, login_manager
from space.moderation import penalties

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# OpenAPI security requirements: a token, or (reads of public data) a token or nothing.
SECURITY_SCHEME = "bearerAuth"
BEARER_AUTH = [{SECURITY_SCHEME: []}]
OPTIONAL_AUTH = [{}, {SECURITY_SCHEME: []}]
_UNSET = object()
_TOKEN_KEY = "space.api.token"


def abort(code: int, **kwargs) -> None:
    """flask-smorest's ``abort`` (the API's JSON error), imported when first needed: this
    module is part of starting every app, the API only of its first use."""
    from flask_smorest import abort as smorest_abort

    smorest_abort(code, **kwargs)


def is_api_request() -> bool:
    return request.blueprint in current_app.extensions.get("space.api.blueprints", ())


def bearer_token() -> tokens.ApiToken | None:
    """The live token the Authorization header names, or None; looked up once per request.

    Kept in the WSGI environ, which belongs to this request alone (``g`` belongs to the app
    context, which a request may share and which is emptied as the request starts).
    """
    cached = request.environ.get(_TOKEN_KEY, _UNSET)
    if cached is not _UNSET:
        return cached
    token = None
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        token = tokens.authenticate(secret.strip())
    request.environ[_TOKEN_KEY] = token
    return token


def load_user_from_request(_request):
    """Flask-Login's request loader: the token's owner, on API requests only."""
    if not is_api_request():
        return None
    token = bearer_token()
    return token.user if token is not None else None


def scopes() -> frozenset[str]:
    """The scopes of the current API request (a session or no account: read only)."""
    token = request.environ.get(_TOKEN_KEY)
    return frozenset(token.scopes) if token is not None else frozenset({"read"})


def require_scope(scope: str) -> None:
    """Abort with 403 unless the current API request holds ``scope``."""
    if scope not in scopes():
        abort(403, message=_("This API token does not have the “%(scope)s” scope.", scope=scope))


def authorize():
    """Before each API request: check the token, then the scope the method needs."""
    if not is_api_request():
        return None
    sent = "Authorization" in request.headers
    user = current_user._get_current_object()
    token = bearer_token()
    if sent:
        if token is None:
            abort(401, message=_("This API token is not valid, or it has been revoked."))
        # A session cookie sent along is loaded before the token: both must be one person.
        if not user.is_authenticated or user.id != token.user_id:
            abort(401, message=_("The token does not match the session sent with it. "
                                 "Send the token without cookies."))  # fmt: skip
        if penalties.is_suspended(user):
            abort(403, message=penalties.suspension_notice(user))
    if request.method not in SAFE_METHODS:
        if token is None:
            abort(401, message=_("Changes through the API need a personal API token, sent "
                                 "as “Authorization: Bearer …”."))  # fmt: skip
        require_scope("write")
    else:
        require_scope("read")
    return None


def finish(response):
    """After each API request: tell clients how to authenticate when they must (RFC 6750),
    and note the token's use when the request succeeded."""
    if not is_api_request():
        return response
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    token = request.environ.get(_TOKEN_KEY)
    # Like the "last seen" note, written only after success, so that it never commits the
    # half-done work of a failed request; a view that wrote has committed already.
    if token is not None and response.status_code < 400 and tokens.note_use(token):
        db.session.commit()
    return response


def rate_limit_key() -> str:
    """Per token on API requests that carry one, else per person or address."""
    token = bearer_token() if is_api_request() else None
    if token is not None:
        return f"token:{token.id}"
    return security.rate_limit_key()


# One limit object, so that applying it to a blueprint again (one app per test) adds nothing.
api_limit = limiter.limit(
    lambda: current_app.config["SPACE_RATELIMIT_API"],
    key_func=rate_limit_key,
    error_message=lambda: _("Too many requests in a short time. Wait a moment and try again."),
)


def init_app(app) -> None:
    login_manager.request_loader(load_user_from_request)
    app.before_request(authorize)
    app.after_request(finish)
