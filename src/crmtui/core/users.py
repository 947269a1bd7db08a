"""Team members and who the current user is."""

import getpass
import os

from sqlmodel import Session, select

from crmtui.core.audit import record_created
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import User
from crmtui.core.reads import usernames_by_id  # noqa: F401  (one lookup for every caller)
from crmtui.core.records import apply_changes
from crmtui.core.usernames import clean_username, username_is


def _named(session: Session, username: str) -> User | None:
    """The user of this name, whatever its case: the one written exactly so, should two older
    ones differ only in case."""
    users = session.exec(select(User).where(username_is(User.username, username))).all()
    exact = clean_username(username)
    return next((u for u in users if u.username == exact), users[0] if users else None)


def current_username(explicit: str | None = None) -> str:
    """`--user`, else CRM_USER, else the OS user name; a blank one counts as not given (else
    the change would be signed by nobody)."""
    name = (explicit or "").strip() or os.environ.get("CRM_USER", "").strip()
    if not name:
        try:
            name = getpass.getuser().strip()
        except (KeyError, OSError):
            name = ""
    return name or "me"


def ensure_user(
    session: Session, username: str, *, disabled_ok: bool = False, create: bool = True
) -> User:
    """The user with this name, created on first use (unless not `create`: an owner or assignee
    typed by hand must be a team member, a typo no new one); a disabled one only with
    `disabled_ok` (who did something in the past, as opposed to who is to do or own it)."""
    username = clean_username(username)
    if not username:
        raise Invalid("a user name cannot be empty")
    user = _named(session, username)
    if user is None and not create:
        raise NotFound(f"no user named {username!r} (crm user add {username} adds one)")
    if user is None:
        user = User(username=username, name=username)
        session.add(user)
        session.flush()
    elif not user.active and not disabled_ok:
        raise Invalid(f"user {username!r} is disabled")
    return user


def add_user(
    session: Session, username: str, name: str | None = None, email: str | None = None
) -> User:
    """A new team member; the name defaults to the user name."""
    username = clean_username(username)
    if not username or any(ch.isspace() for ch in username):
        raise Invalid(f"invalid user name {username!r}: one word, no spaces")
    if _named(session, username) is not None:
        raise Conflict(f"a user named {username!r} already exists")
    user = User(username=username, name=(name or "").strip() or username, email=email or None)
    session.add(user)
    session.flush()
    record_created(session, "user", user)
    return user


def set_user_active(session: Session, username: str, active: bool) -> User:
    """Disable (or enable again) a user: a disabled user cannot act or be given records."""
    user = get_user(session, username)
    if user.active != active:
        apply_changes(session, "user", user, {"active": active})
    return user


def user_rows(session: Session, users: list[User]) -> list[dict]:
    return [
        {
            "id": u.id,
            "username": u.username,
            "name": u.name,
            "email": u.email,
            "active": u.active,
            "created_at": u.created_at,
        }
        for u in users
    ]


def get_user(session: Session, username: str) -> User:
    user = _named(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))
