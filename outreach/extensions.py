"""Every extension instance, so that rooms import these and never the app factory."""

import hashlib
import hmac

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so migrations can refer to them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def keyed_hash(value: str) -> str:
    """A hash keyed with the application's secret: shows which records concern the same value without keeping it."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).hexdigest()


def client_key() -> str:
    """The visitor's internet address for rate limits, as a keyed hash: limits work without the address itself
    being stored anywhere (the limiter keeps its counts at most as long as its longest window)."""
    return "ip:" + keyed_hash(request.remote_addr or "unknown")[:24]


# Limits are declared on the views that need them (login, the public forms); none by default.
limiter = Limiter(key_func=client_key)
