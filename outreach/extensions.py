"""Every extension instance, so that rooms import these and never the app factory."""

import hashlib
import hmac

import click
from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
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


class _MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's commands, with Flask-Migrate and Alembic (6 MB) loaded only when one runs,
    not in every web process."""

    def __init__(self, app: Flask, directory: str) -> None:
        # The group's own options, as Flask-Migrate's `db` group has them (its callback reads them when one runs).
        options = [
            click.Option(["-d", "--directory"], default=None, help="Migration script directory"),
            click.Option(["-x", "--x-arg"], multiple=True, help="Additional arguments consumed by env.py"),
        ]
        super().__init__(name="db", params=options, help="Perform database migrations (Flask-Migrate).")
        self.app, self.directory = app, directory

    def invoke(self, ctx: click.Context) -> object:
        self.callback = self._commands().callback
        return super().invoke(ctx)

    def _commands(self) -> click.Group:
        from flask_migrate import Migrate
        from flask_migrate.cli import db as commands

        if not hasattr(self.app.extensions.get("migrate"), "migrate"):
            Migrate().init_app(self.app, db, directory=self.directory, render_as_batch=True)
        return commands

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        return self._commands().commands

    @commands.setter
    def commands(self, _value: dict[str, click.Command]) -> None:
        pass  # click.Group's own (empty) dictionary: Flask-Migrate's commands are the ones used


def init_migrations(app: Flask, directory: str) -> None:
    """Register `flask db` (Flask-Migrate) for the migrations in `directory`."""
    app.cli.add_command(_MigrationCommands(app, directory))
