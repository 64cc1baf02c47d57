"""Accounts: people, their profiles and groups."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from space.accounts import group_views, views  # noqa: E402,F401  (routes attach to bp)
