"""Extension instances, created unbound; ``create_app`` binds them to an app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from space.db import db
from space.security import rate_limit_key

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])

__all__ = ["db", "migrate", "login_manager", "babel", "csrf", "limiter"]
