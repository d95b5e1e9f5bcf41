"""Who may change a desk's database without qualdesk: the doctor's `access` check.

qualdesk's sign-in and roles are enforced by qualdesk. On SQLite, whoever
can write the database file (or its folder, or its -wal and -shm files) can
change the desk with any SQLite tool, past them; on PostgreSQL, whoever has
the password of the role qualdesk connects as can do whatever that role
may. So the file's permissions, and the role's privileges, are the desk's
real boundary: this module says how wide it is and how to narrow it
(docs/access.md).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from qualdesk.core.words import counted
from qualdesk.db.checkup import RolePowers

Status = Literal["ok", "warning", "problem", "skipped"]
# Beside the database: SQLite's write-ahead log and its index, and a rollback journal.
COMPANIONS = ("-wal", "-shm", "-journal")
MEMBERS_SHOWN = 8
DOCS = "docs/access.md"


class Verdict(NamedTuple):
    """The access check's status, what it found, and what to do about it."""

    status: Status
    detail: str
    advice: str = ""


@dataclass(frozen=True)
class Opening:
    """A path that others than its owner may write."""

    what: str  # "desk.db", "desk.db-wal", "its folder"
    mode: int
    group: str | None  # the group's name and members, when the group may write
    everyone: bool

    @property
    def who(self) -> str:
        who = [self.group] if self.group else []
        if self.everyone:
            who.append("everyone on this machine")
        return " and ".join(who)

    def __str__(self) -> str:
        return f"{self.what} ({stat.S_IMODE(self.mode):o})"


def file_access(path: Path) -> Verdict:
    """Whether others than the database file's owner may write it, its folder or companions.

    Args:
        path: the desk's SQLite file (it exists).

    Returns:
        "ok" when only the owner may write them, "warning" naming each one a
        group or everyone may write, with who and what to do; "skipped" where
        the system has no such permissions (Windows) or they cannot be read.
    """
    if os.name == "nt":
        return Verdict("skipped", "file permissions are not checked on Windows")
    try:
        info = path.stat()
        paths = [(path.name, info), ("its folder", path.parent.stat())]
        for suffix in COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                paths.append((companion.name, companion.stat()))
    except OSError as exc:
        return Verdict("skipped", f"cannot read the permissions: {exc.strerror or exc}")
    owner = _user_name(info.st_uid)
    openings = [o for what, seen in paths if (o := _opening(what, seen)) is not None]
    if not openings and info.st_mode & stat.S_IROTH:
        return Verdict(
            "warning",
            f"everyone on this machine can read it ({stat.S_IMODE(info.st_mode):o}): every "
            "lead, and the reps' password hashes",
            "chmod o-r the file and any -wal and -shm beside it (chmod 600 if one user runs "
            f"every qualdesk, 640 or 660 with a group of the desk's people) ({DOCS})",
        )
    if not openings:
        return Verdict("ok", f"only its owner, {owner}, can write it and its folder")
    by_whom: dict[str, list[Opening]] = {}
    for opening in openings:
        by_whom.setdefault(opening.who, []).append(opening)
    detail = f"others than its owner, {owner}, can write " + "; ".join(
        f"{', '.join(map(str, these))} by {who}" for who, these in by_whom.items()
    )
    return Verdict("warning", detail, _file_advice(openings))


def _opening(what: str, seen: os.stat_result) -> Opening | None:
    group = bool(seen.st_mode & stat.S_IWGRP)
    everyone = bool(seen.st_mode & stat.S_IWOTH)
    if not (group or everyone):
        return None
    return Opening(what, seen.st_mode, _group(seen.st_gid) if group else None, everyone)


def _file_advice(openings: list[Opening]) -> str:
    who = (
        "everyone on this machine"
        if any(o.everyone for o in openings)
        else "everyone who may write them"
    )
    return (
        f"{who} can change the desk with any SQLite tool, past qualdesk's sign-in and roles. "
        "If one user runs every qualdesk (e.g. `qualdesk serve`): chmod 600 the file and "
        "any -wal and -shm beside it, chmod 700 the folder. If each rep runs qualdesk as "
        "their own user: chmod 660 and 770, with a group that holds only the desk's reps "
        f"and team leads (chgrp); this warning then names that group to check ({DOCS})"
    )


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def _group(gid: int) -> str:
    """A group's name and its members: those it lists, and those whose own group it is."""
    import grp
    import pwd

    try:
        entry = grp.getgrgid(gid)
    except KeyError:
        return f"group {gid}"
    members = set(entry.gr_mem) | {user.pw_name for user in pwd.getpwall() if user.pw_gid == gid}
    if not members:
        return f"group {entry.gr_name} (no members)"
    names = sorted(members)
    more = f" and {len(names) - MEMBERS_SHOWN} more" if len(names) > MEMBERS_SHOWN else ""
    return f"group {entry.gr_name} ({', '.join(names[:MEMBERS_SHOWN])}{more})"


def role_access(powers: RolePowers) -> Verdict:
    """What the role qualdesk connects as may do beyond the desk's rows, and what it lacks.

    Returns:
        "problem" when the role lacks a privilege the desk needs (the desk
        fails without it); "warning" when it may do more than the desk needs
        (a superuser, the owner of the database or its tables, DDL, roles,
        databases); "ok" for a least-privilege role.
    """
    lacking = _lacking(powers)
    if lacking:
        return Verdict(
            "problem",
            f"qualdesk connects as {powers.role}, which may not {'; nor '.join(lacking)}",
            "the reps' work fails there: as the desk's owner, run the GRANTs and ALTER "
            f"DEFAULT PRIVILEGES in {DOCS} for this role",
        )
    extra = _beyond_the_desk(powers)
    if not extra:
        return Verdict(
            "ok",
            f"qualdesk connects as {powers.role}, which may read and write the desk's rows "
            "but not change its tables, nor anything else on the server",
        )
    return Verdict(
        "warning",
        f"qualdesk connects as {powers.role}, which {', '.join(extra)}",
        "anyone with this role's password can change or drop the whole desk, past "
        "qualdesk's sign-in and roles: give the reps' qualdesk a role with only the "
        "privileges the desk needs, and keep this one for `qualdesk db upgrade` "
        f"({DOCS})",
    )


def _beyond_the_desk(powers: RolePowers) -> list[str]:
    if powers.superuser:
        return ["is a superuser: it may do anything on the server"]
    extra = []
    if powers.owns_database:
        owner = "" if powers.database_owner == powers.role else f" (as {powers.database_owner})"
        extra.append(f"owns the database{owner}")
    if powers.owned_tables:
        extra.append(f"owns {counted(powers.owned_tables, 'table')} of the desk (may drop them)")
    if powers.may_create_tables:
        extra.append(f"may create tables in schema {powers.schema}")
    if powers.create_role:
        extra.append("may create roles")
    if powers.create_database:
        extra.append("may create databases")
    return extra


def _lacking(powers: RolePowers) -> list[str]:
    lacking = []
    if powers.unwritable:
        lacking.append(f"read and write {_names(powers.unwritable)}")
    if powers.unusable_sequences:
        lacking.append(f"take new ids from {_names(powers.unusable_sequences)}")
    if not powers.may_use_temporary:
        lacking.append("create temporary tables (imports stage their rows in them)")
    return lacking


def _names(names: tuple[str, ...], shown: int = 4) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
