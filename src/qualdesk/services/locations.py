"""Where the desk keeps its database and reads its configuration.

Order for the database: the --db flag, then QUALDESK_DB, then `db` in the
config file, then a file in the platform's user data folder. Nothing is
created here; folders appear when a file is first written.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from qualdesk.core.errors import QualdeskError

APP = "qualdesk"
DB_ENV = "QUALDESK_DB"
CONFIG_ENV = "QUALDESK_CONFIG"


@dataclass(frozen=True)
class Location:
    """A database location and how it was chosen."""

    target: str
    origin: str


@dataclass(frozen=True)
class DeskPreferences:
    """How the desk behaves for the rep at this machine (the config file's [desk] table)."""

    # Ticking a criterion also opens the box for the prospect's answer.
    ask_answer_on_tick: bool = False


@dataclass(frozen=True)
class Config:
    """The user's config file, read once."""

    path: Path
    db: str | None = None
    rep: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    desk: DeskPreferences = field(default_factory=DeskPreferences)
    exists: bool = False


def config_path() -> Path:
    """The config file: QUALDESK_CONFIG, else config.toml in the user config folder."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return platformdirs.user_config_path(APP) / "config.toml"


def read_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file is an empty config, a bad one an error."""
    path = path or config_path()
    if not path.is_file():
        if os.environ.get(CONFIG_ENV) and path == config_path():
            raise QualdeskError(f"{CONFIG_ENV} names {path}, which is not a file")
        return Config(path=path)
    try:
        doc: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QualdeskError(f"{path}: cannot read the config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise QualdeskError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(doc) - {"db", "rep", "keys", "desk"})
    if unknown:
        raise QualdeskError(
            f"{path}: {unknown[0]}: unknown key (expected db, rep, [keys] or [desk])"
        )
    for key in ("db", "rep"):
        if key in doc and not isinstance(doc[key], str):
            raise QualdeskError(f"{path}: {key}: expected text, got {doc[key]!r}")
    keys = doc.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise QualdeskError(f'{path}: keys: expected a table of binding id = "key"')
    return Config(
        path=path,
        db=doc.get("db"),
        rep=doc.get("rep"),
        keys=keys,
        desk=_preferences(path, doc.get("desk", {})),
        exists=True,
    )


def _preferences(path: Path, table: object) -> DeskPreferences:
    """The [desk] table: each key is a preference of DeskPreferences, with its type."""
    if not isinstance(table, dict):
        raise QualdeskError(f"{path}: desk: expected a table ([desk])")
    known = {f.name: f for f in fields(DeskPreferences)}
    for key, value in table.items():
        if key not in known:
            raise QualdeskError(
                f"{path}: desk.{key}: unknown key (expected {', '.join(sorted(known))})"
            )
        if not isinstance(value, bool):
            raise QualdeskError(f"{path}: desk.{key}: expected true or false, got {value!r}")
    return DeskPreferences(**table)


def default_database() -> Path:
    """The database file used when nothing else names one."""
    return platformdirs.user_data_path(APP) / "qualdesk.db"


def locate_database(flag: str | None, config: Config | None = None) -> Location:
    """Choose the database from the flag, the environment, the config file or the default."""
    if flag:
        return Location(flag, "--db")
    env = os.environ.get(DB_ENV)
    if env:
        return Location(env, DB_ENV)
    config = config or read_config()
    if config.db:
        target = config.db if "://" in config.db else str(Path(config.db).expanduser())
        return Location(target, f"config file {config.path}")
    return Location(str(default_database()), "default")
