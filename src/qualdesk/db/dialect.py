"""Where SQLite and PostgreSQL write the same thing differently, written once.

Each construct is an SQL expression the queries use as any other; it compiles
to each engine's own words. Anything engine-specific in a query belongs here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import DateTime


class seconds_between(FunctionElement[float]):
    """The seconds from one moment to a later one (negative when it is earlier)."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


class plus_seconds(FunctionElement[Any]):
    """A moment a whole number of seconds later, comparable with stored moments."""

    type = DateTime(timezone=True)
    inherit_cache = True

    def __init__(self, moment: Any, seconds: int) -> None:
        self.seconds = int(seconds)
        super().__init__(moment)


@compiles(plus_seconds, "sqlite")
def _plus_seconds_sqlite(element: plus_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps moments as text; datetime() writes whole seconds in the same form.
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return f"datetime({moment}, '{element.seconds:+d} seconds')"


@compiles(plus_seconds, "postgresql")
def _plus_seconds_pg(element: plus_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return f"({moment} + make_interval(secs => {element.seconds}))"


class text_position(FunctionElement[int]):
    """Where a text first occurs in another, from 1; 0 when it does not (case-sensitive)."""

    type = Integer()
    inherit_cache = True

    def __init__(self, text: Any, part: Any) -> None:
        super().__init__(text, part)


@compiles(text_position, "sqlite")
def _text_position_sqlite(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"instr({text}, {part})"


@compiles(text_position, "postgresql")
def _text_position_pg(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"strpos({text}, {part})"


def engine_name(bind: Any) -> str:
    """'sqlite' or 'postgresql', for the rare statement each engine needs its own way."""
    return str(bind.dialect.name)


__all__ = ["ColumnElement", "engine_name", "plus_seconds", "seconds_between", "text_position"]
