"""Team members and who the current user is."""

import getpass
import os

from sqlmodel import Session, select

from crmtui.core.errors import Invalid, NotFound
from crmtui.core.models import User


def current_username(explicit: str | None = None) -> str:
    """`--user`, else CRM_USER, else the OS user name."""
    name = explicit or os.environ.get("CRM_USER")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "me"
    return name.strip()


def ensure_user(session: Session, username: str) -> User:
    """The user with this name, created on first use."""
    username = username.strip()
    if not username:
        raise Invalid("a user name cannot be empty")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, name=username)
        session.add(user)
        session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))


def usernames_by_id(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.username).where(User.id.in_(ids)))
    return dict(rows.all())
