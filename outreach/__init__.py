"""Outreach: parliamentary letter campaigns to the Tweede Kamer."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from outreach import database, health, i18n, labels, security
from outreach.config import PROJECT_ROOT, load_config
from outreach.extensions import babel, csrf, db, init_migrations, limiter, login_manager, mail
from outreach.urls import DatabaseId


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: configuration, extensions and the rooms' blueprints."""
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app.config, app.instance_path, test_config)
    app.url_map.converters["int"] = DatabaseId  # before any route is added

    db.init_app(app)
    database.configure(app)
    init_migrations(app, str(PROJECT_ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    health.configure_logging(app)
    i18n.register_formats(app)
    labels.init_app(app)

    from outreach import home, site
    from outreach.accounts import bp as accounts_bp
    from outreach.agenda import bp as agenda_bp
    from outreach.agenda.admin import bp as agenda_admin_bp
    from outreach.campaigns import bp as campaigns_bp
    from outreach.campaigns.admin import bp as campaigns_admin_bp
    from outreach.directory import bp as directory_bp
    from outreach.directory.admin import bp as directory_admin_bp
    from outreach.organisation.views import admin_bp as organisation_admin_bp
    from outreach.organisation.views import bp as organisation_bp
    from outreach.outbox import bp as outbox_bp
    from outreach.outbox.views import bp as outbox_admin_bp
    from outreach.privacy import bp as privacy_bp
    from outreach.privacy.admin import bp as privacy_admin_bp
    from outreach.replies import bp as replies_bp
    from outreach.replies.admin import bp as replies_admin_bp
    from outreach.reports.views import bp as reports_bp

    app.register_blueprint(site.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(directory_admin_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(outbox_admin_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(campaigns_admin_bp)
    app.register_blueprint(replies_bp)
    app.register_blueprint(replies_admin_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(privacy_admin_bp)
    app.register_blueprint(organisation_bp)
    app.register_blueprint(organisation_admin_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(agenda_admin_bp)
    return app
