"""The faster foreign-key lookup answers exactly as Piccolo's own, on every foreign key of every
table: plain attributes, joins (one and two steps), proxy columns and lazy references. Pure."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.columns import Varchar
from piccolo.columns.base import Column
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from marketplace.kernel import orm_speedups
from tests.dbutil import all_tables


def _foreign_keys() -> list[ForeignKey[Any]]:
    return [c for t in all_tables() for c in t._meta.foreign_key_columns]


def _same(a: Any, b: Any) -> bool:
    """Equal answers: the same object, or columns that build the same SQL and joins."""
    if isinstance(a, Column) or isinstance(b, Column):
        return (
            type(a) is type(b)
            and a._meta.name == b._meta.name
            and [c._meta.name for c in a._meta.call_chain]
            == [c._meta.name for c in b._meta.call_chain]
            and str(a.get_select_string("postgres")) == str(b.get_select_string("postgres"))
        )
    return a is b or a == b


def _both(column: ForeignKey[Any], name: str) -> tuple[Any, Any]:
    return (
        orm_speedups.piccolo_getattribute(column, name),
        orm_speedups._fast_getattribute(column, name),
    )


def test_it_is_installed():
    assert ForeignKey.__getattribute__ is orm_speedups._fast_getattribute


def test_every_attribute_of_every_foreign_key_answers_as_piccolo_does():
    keys = _foreign_keys()
    assert len(keys) > 30
    compared = 0
    for column in keys:
        for name in dir(column):
            if name.startswith("__"):
                continue
            original, fast = _both(column, name)
            if hasattr(original, "__func__"):
                # Bound methods are made afresh on each read: the same function, same object.
                assert original.__func__ is fast.__func__, (column, name)
                assert original.__self__ is fast.__self__, (column, name)
            else:
                assert _same(original, fast), (column._meta.table, column, name)
            compared += 1
    assert compared > 1000


def test_joins_through_foreign_keys_answer_as_piccolo_does():
    joined = 0
    for column in _foreign_keys():
        target = column._foreign_key_meta.resolved_references
        for other in target._meta.columns:
            original, fast = _both(column, other._meta.name)
            assert isinstance(fast, Column) and _same(original, fast)
            assert [c._meta.name for c in fast._meta.call_chain] == [column._meta.name]
            joined += 1
        for fk in target._meta.foreign_key_columns:  # two steps: booking.slot.host.name
            step = orm_speedups._fast_getattribute(column, fk._meta.name)
            for other in fk._foreign_key_meta.resolved_references._meta.columns[:3]:
                original, fast = _both(step, other._meta.name)
                assert _same(original, fast)
                assert len(fast._meta.call_chain) == 2
    assert joined > 100


def test_a_missing_attribute_is_missing_in_both():
    column = _foreign_keys()[0]
    for lookup in (orm_speedups.piccolo_getattribute, orm_speedups._fast_getattribute):
        with pytest.raises(AttributeError):
            lookup(column, "no_such_attribute")


class _Owner(Table, tablename="speedups_owner"):
    name = Varchar()


class _Pet(Table, tablename="speedups_pet"):
    owner: ForeignKey[_Owner] = ForeignKey(
        LazyTableReference("_Owner", module_path="tests.marketplace.test_orm_speedups")
    )


def test_a_lazy_reference_is_resolved_on_first_use_as_before():
    pet_owner = _Pet.owner
    assert isinstance(_Pet.owner._foreign_key_meta.references, LazyTableReference)
    name = pet_owner.name  # through the installed lookup
    assert isinstance(name, Varchar)
    assert [c._meta.name for c in name._meta.call_chain] == ["owner"]
    assert str(name.get_select_string("postgres")) == str(
        orm_speedups.piccolo_getattribute(pet_owner, "name").get_select_string("postgres")
    )
