"""ORM queries compiled once per process, then run with new values: for the few reads on every request.

Building and compiling a QuerySet costs more Python time than PostgreSQL spends answering a lookup
by a unique index: the API token's query (with its scope as an array of JSON objects) took 1.7 ms of
compiling for 0.2 ms of database work, on every API call. A ``Prepared`` query is written as an
ordinary QuerySet, built once with placeholder values ("slots"), compiled by Django for the
connection, and kept; a call binds the values to the slots' positions in the parameters and runs
the SQL, and the rows go through the same compiler's converters, so each column arrives as the ORM
would return it (booleans and datetimes on SQLite included).

Only values that Django passes through as query parameters can be slots: equality and range
lookups on strings, integers, dates and datetimes. A slot that is transformed into something else
(a ``LIKE`` pattern, say) is not found in the parameters, and building fails loudly rather than
binding the wrong thing. The query's shape must not depend on the values (no ``IN`` lists of
varying length): those stay ordinary QuerySets.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet


def _sentinel(kind: type, index: int, variant: int) -> Any:
    """A placeholder value; two variants, so that a constant equal to one by chance is never taken for a slot.

    Integers stay within a small integer's range: Django answers an out-of-range lookup with an
    empty result instead of a parameter.
    """
    if kind is str:
        return f"\x01danvan-slot-{index}-{variant}\x01"
    if kind is int:
        return 30011 + 7 * index + 509 * variant
    if kind is dt.datetime:
        return dt.datetime(1901 + variant, 2, 3, 4, 5, 6, index + 1, tzinfo=dt.UTC)
    if kind is dt.date:
        return dt.date(1901 + variant, 3, 4) + dt.timedelta(days=index)
    raise TypeError(f"a slot must be str, int, date or datetime, not {kind!r}")


class _Compiled:
    __slots__ = ("binders", "compiler", "constants", "sql")

    def __init__(self, sql: str, constants: list[Any], binders: list[tuple[int, str, Callable[[Any], Any]]],
                 compiler: Any) -> None:
        self.sql = sql
        self.constants = constants
        self.binders = binders
        self.compiler = compiler


class Prepared:
    """``build(**slots)`` returns a ``values_list`` QuerySet; ``rows(**values)`` runs it with these values.

    ``slots`` name each placeholder and its type. The compiled form is kept per database alias for the
    life of the process (the schema does not change under a running process).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], **slots: type) -> None:
        self._build = build
        self._slots = slots
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile_with(self, using: str, variant: int) -> tuple[str, list[Any], Any, dict[str, Any]]:
        sentinels = {name: _sentinel(kind, i, variant) for i, (name, kind) in enumerate(self._slots.items())}
        compiler = self._build(**sentinels).using(using).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        return sql, list(params), compiler, sentinels

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        sql, params, compiler, first = self._compile_with(using, 0)
        sql_b, params_b, _compiler_b, second = self._compile_with(using, 1)
        if sql != sql_b or len(params) != len(params_b):
            raise ValueError(f"the query's shape depends on its slots' values: {sql!r}")
        same: Callable[[Any], Any] = lambda v: v  # noqa: E731
        adapters: dict[type, list[Callable[[Any], Any]]] = {
            str: [same], int: [same], dt.datetime: [same, connection.ops.adapt_datetimefield_value],
            dt.date: [same, connection.ops.adapt_datefield_value],
        }
        binders: list[tuple[int, str, Callable[[Any], Any]]] = []
        for pos, (a, b) in enumerate(zip(params, params_b, strict=True)):
            for name, kind in self._slots.items():
                adapt = next((f for f in adapters[kind] if _equal(f(first[name]), a) and _equal(f(second[name]), b)), None)
                if adapt is not None:
                    binders.append((pos, name, _binder(adapt, type(adapt(first[name])), type(a))))
                    break
            else:
                if not _same(a, b):
                    raise ValueError(f"parameter {pos} of {sql!r} depends on a slot but is not one")
        missing = set(self._slots) - {name for _pos, name, _a in binders}
        if missing:
            raise ValueError(f"slots {sorted(missing)} are not plain query parameters of {sql!r}")
        return _Compiled(sql, params, binders, compiler)

    def compiled(self, using: str = "default") -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            with self._lock:
                found = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = found
        return found

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The query's rows for these slot values, each column converted as ``values_list`` would."""
        if set(values) != set(self._slots):
            raise TypeError(f"expected the slots {sorted(self._slots)}, got {sorted(values)}")
        c = self.compiled(using)
        params = list(c.constants)
        for pos, name, adapt in c.binders:
            params[pos] = adapt(values[name])
        with connections[using].cursor() as cursor:
            cursor.execute(c.sql, params)
            fetched = cursor.fetchall()
        if not fetched:
            return []
        if c.compiler.has_extra_select:  # ordering columns Django added to the select list
            fetched = [r[: c.compiler.col_count] for r in fetched]
        return list(c.compiler.results_iter(results=[fetched], tuple_expected=True))

    def forget(self) -> None:
        """Compile again on the next call (tests that change settings affecting the SQL)."""
        with self._lock:
            self._compiled.clear()


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _equal(a: Any, b: Any) -> bool:
    """Equal, where Django may have wrapped the value (PostgreSQL's ``Int2`` for a small integer field)."""
    return (type(a) is type(b) or isinstance(b, type(a))) and a == b


def _binder(adapt: Callable[[Any], Any], adapted: type, wanted: type) -> Callable[[Any], Any]:
    if adapted is wanted:
        return adapt
    return lambda v: wanted(adapt(v))


def hydrate(model: type[Model], using: str, attnames: Sequence[str], values: Sequence[Any]) -> Model:
    """A model instance from columns read by a ``Prepared`` query, as the ORM would build it."""
    return model.from_db(using, list(attnames), list(values))
