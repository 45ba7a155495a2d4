"""The cross-layer agreement rules, each on a small table and Struct made for the test."""

from __future__ import annotations

from uuid import UUID

import msgspec
from piccolo.columns import UUID as UUIDColumn
from piccolo.columns import Integer, Text, Varchar
from piccolo.table import Table

from codegen.agreement import API, CRITICAL, DATABASE, HIGH, compare_table, format_report
from server.columns import enum_check, enum_column
from server.enums import DEFAULT_HOP_STATUS, HopStatus, MissionStatus


class Gadget(Table, tablename="gadgets"):
    id = UUIDColumn(primary_key=True)
    user_id = UUIDColumn(null=False)
    name = Varchar(length=50, null=False)
    note = Text(null=True, default=None)
    status = enum_column(HopStatus, DEFAULT_HOP_STATUS)
    count = Integer(null=False, default=0)

    ck_gadgets_status = enum_check("gadgets", "status", HopStatus)


class LooseGadget(Table, tablename="loose_gadgets"):
    id = UUIDColumn(primary_key=True)
    status = Varchar(length=40, null=False, choices=HopStatus, default=DEFAULT_HOP_STATUS)


def struct(**fields: object) -> type:
    base = {"id": UUID, "name": str, "note": str | None, "status": (HopStatus, DEFAULT_HOP_STATUS), "count": int}
    base.update(fields)
    spec = [
        (name, *value) if isinstance(value, tuple) else (name, value)
        for name, value in base.items()
        if value is not None
    ]
    return msgspec.defstruct("Gadget", spec, kw_only=True)


def findings(table: type, cls: type) -> list[tuple[str, str, str]]:
    return [(f.layer, f.severity, f.subject) for f in compare_table(table, cls)]


def test_agreeing_layers_have_no_findings_and_user_id_is_internal():
    assert findings(Gadget, struct()) == []
    assert format_report([]) == ["Cross-layer agreement: no findings (database, API, TypeScript agree)."]


def test_a_column_without_field_is_an_api_finding_and_a_field_without_column_a_database_one():
    assert findings(Gadget, struct(note=None)) == [(API, CRITICAL, "Gadget.note")]
    assert findings(Gadget, struct(extra=int)) == [(DATABASE, CRITICAL, "gadgets.extra")]


def test_nullability_type_choices_and_default_must_agree():
    assert findings(Gadget, struct(note=str)) == [(DATABASE, CRITICAL, "gadgets.note")]
    assert findings(Gadget, struct(count=str)) == [(DATABASE, CRITICAL, "gadgets.count")]
    wrong_enum = findings(Gadget, struct(status=(MissionStatus, MissionStatus.AWAITING_APPROVAL)))
    assert (DATABASE, CRITICAL, "gadgets.status") in wrong_enum
    report = "\n".join(
        format_report(compare_table(Gadget, struct(status=(MissionStatus, MissionStatus.AWAITING_APPROVAL))))
    )
    assert "choices HopStatus differ from Gadget.status (MissionStatus)" in report
    assert "CHECK ck_gadgets_status disagrees with MissionStatus" in report
    other_default = findings(Gadget, struct(status=(HopStatus, HopStatus.EXECUTING)))
    assert other_default == [(DATABASE, CRITICAL, "gadgets.status")]


def test_an_enum_column_without_check_constraint_is_reported():
    lone = msgspec.defstruct("LooseGadget", [("id", UUID), ("status", HopStatus, DEFAULT_HOP_STATUS)], kw_only=True)
    assert findings(LooseGadget, lone) == [(DATABASE, HIGH, "loose_gadgets.status")]
