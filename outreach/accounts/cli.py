"""Account commands: `flask accounts add`, `flask accounts first-admin` and `flask accounts reset-totp`."""

import click
from sqlalchemy import func, select

from outreach.accounts import bp, passwords, secondfactor
from outreach.accounts.access import audit
from outreach.accounts.models import ROLES, Account
from outreach.database import begin_write
from outreach.extensions import db
from outreach.validation import address_problem


@bp.cli.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="organiser", show_default=True)
@click.password_option(help="Prompted for when not given.")
def add(email: str, role: str, password: str) -> None:
    """Create an organiser account."""
    email = email.strip().lower()
    problem = address_problem(email, typed=False)  # the site's own domains (outreach.localhost) are fine here
    if problem is not None:
        raise click.ClickException(f"{email!r}: {problem}")
    problem = passwords.password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    begin_write()
    if db.session.scalar(select(func.count(Account.id)).where(Account.email == email)):
        raise click.ClickException(f"There is already an account for {email}.")
    db.session.add(Account(email=email, role=role, password_hash=passwords.hash_password(password)))
    db.session.commit()
    click.echo(f"Account {email} ({role}) created.")


@bp.cli.command("first-admin")
@click.option("--email", default="admin@outreach.localhost", show_default=True)
def first_admin(email: str) -> None:
    """On a fresh install, create an admin with a generated password and print it once."""
    begin_write()
    if db.session.scalar(select(func.count(Account.id))):
        click.echo("Organiser accounts exist already; log in with yours at /admin/login.")
        return
    password = passwords.generate_password()
    db.session.add(Account(email=email, role="admin", password_hash=passwords.hash_password(password)))
    db.session.commit()
    click.echo(f"First admin created. Log in at /admin/login as {email} with password: {password}")
    click.echo("This password is shown only now; add your own account with `flask accounts add`.")
    if secondfactor.required(Account(role="admin")):
        click.echo(
            "At the first login you set up a second factor: have an authenticator app ready on your phone "
            "(any TOTP app: FreeOTP, Aegis, Google Authenticator, 1Password ...) to scan the QR code."
        )


@bp.cli.command("reset-totp")
@click.argument("email")
def reset_totp(email: str) -> None:
    """Remove an account's second factor (a locked-out admin): it sets up a new one at its next login."""
    begin_write()
    account = db.session.scalar(select(Account).where(Account.email == email.strip().lower()))
    if account is None:
        raise click.ClickException(f"There is no account for {email}.")
    if account.totp_secret is None:
        click.echo(f"{account.email} has no second factor; nothing changed.")
        return
    secondfactor.remove(account)
    account.end_sessions()
    audit("reset second factor", account, "flask accounts reset-totp")
    db.session.commit()
    click.echo(f"The second factor of {account.email} is removed; it sets up a new one at its next login.")
