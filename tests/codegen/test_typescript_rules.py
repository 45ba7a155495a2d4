"""The generator's rules, each shown on small Structs made for the test (README, "Frontend:
generated API types")."""

from __future__ import annotations

import types
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import msgspec
import pytest

from codegen.typescript import REQUEST, RESPONSE, NameCollision, TypeScriptEmitter, union_aliases


class Color(StrEnum):
    """A colour, in a deliberately non-alphabetical order."""

    RED = "red"
    GREEN = "green"
    BLUE = "blue"
    AMBER = "amber"


class Thing(msgspec.Struct, kw_only=True):
    """A thing the server sends and the client sends back."""

    name: str
    """What it is called."""
    note: str | None = None
    count: int = 0
    nickname: str | msgspec.UnsetType = msgspec.UNSET
    seen_at: datetime | None


class Plain(msgspec.Struct, kw_only=True):
    """Same shape both ways."""

    id: UUID
    label: str | None


class Cat(msgspec.Struct, tag="cat", tag_field="kind", kw_only=True):
    """A cat."""

    lives: int


class Dog(msgspec.Struct, tag="dog", tag_field="kind", kw_only=True):
    """A dog."""

    good: bool


Pet = Cat | Dog


class Node(msgspec.Struct, kw_only=True):
    """A recursive tree."""

    value: Any
    children: list[Node]
    by_name: dict[str, Node] | None = None


class Bag(msgspec.Struct, kw_only=True):
    colours: dict[str, Color]
    things_by_id: dict[UUID, Thing]
    pet: Pet
    pets: list[Pet]
    when: datetime
    anything: Any
    tree: Node


def emit(*roots: tuple[Any, str], aliases: dict | None = None, enums: tuple = ()) -> str:
    emitter = TypeScriptEmitter(union_aliases=aliases or {})
    for cls in enums:
        emitter.add_enum(cls)
    for tp, direction in roots:
        emitter.add(tp, direction)  # type: ignore[arg-type]
    return emitter.render(["// test"])


def block(text: str, start: str) -> str:
    """The declaration starting with `start`, up to its closing line."""
    begin = text.index(start)
    end = text.index("\n}", begin)
    return text[begin : text.index("\n", end + 1)]


def test_enums_keep_python_member_names_and_declaration_order():
    text = emit(enums=(Color,))
    assert block(text, "export const Color = {") == (
        'export const Color = {\n  RED: "red",\n  GREEN: "green",\n  BLUE: "blue",\n  AMBER: "amber",\n} as const;'
    )
    assert "export type Color = (typeof Color)[keyof typeof Color];" in text
    assert "export const COLOR_VALUES = [Color.RED, Color.GREEN, Color.BLUE, Color.AMBER] as const;" in text
    assert "/** A colour, in a deliberately non-alphabetical order. */\nexport const Color" in text


def test_an_enum_with_labels_gets_a_labels_constant_keyed_by_its_members():
    emitter = TypeScriptEmitter()
    emitter.add_enum(Color, {Color.RED: "Red", Color.GREEN: "Green", Color.BLUE: "Blue", Color.AMBER: "Amber"})
    text = emitter.render(["// test"])
    assert block(text, "export const COLOR_LABELS") == (
        "export const COLOR_LABELS: Readonly<Record<Color, string>> = {\n"
        '  [Color.RED]: "Red",\n  [Color.GREEN]: "Green",\n  [Color.BLUE]: "Blue",\n  [Color.AMBER]: "Amber",\n};'
    )
    assert "COLOR_LABELS" not in emit(enums=(Color,))


def test_every_enum_of_the_server_has_a_label_for_every_member_in_the_generated_types():
    import enum as enum_module

    from codegen.generate import ROOT as PROJECT
    from codegen.generate import TYPES_FILE
    from codegen.typescript import constant_case
    from server import enums

    text = (PROJECT / TYPES_FILE).read_text(encoding="utf-8")
    declared = [
        value
        for value in vars(enums).values()
        if isinstance(value, type) and issubclass(value, enum_module.Enum) and value.__module__ == enums.__name__
    ]
    assert set(enums.LABELS) == set(declared)
    for cls in declared:
        labels = enums.LABELS[cls]
        assert set(labels) == set(cls), cls
        assert all(text.strip() and "_" not in text for text in labels.values()), cls
        for member in cls:
            assert f"  [{cls.__name__}.{member.name}]: {msgspec.json.encode(labels[member]).decode()}," in text
        assert f"export const {constant_case(cls.__name__)}_LABELS" in text


def test_response_fields_are_required_and_optional_ones_nullable():
    text = emit((Thing, RESPONSE))
    thing = block(text, "export interface Thing {")
    assert "  name: string;" in thing
    assert "  note: string | null;" in thing  # has a default, but msgspec always sends it
    assert "  count: number;" in thing
    assert "  seen_at: IsoDateTime | null;" in thing
    assert "  nickname?: string;" in thing  # UNSET: left out when unset
    assert "ThingInput" not in text


def test_request_fields_with_defaults_or_unset_are_optional():
    text = emit((Thing, REQUEST))
    thing = block(text, "export interface Thing {")
    assert "  name: string;" in thing
    assert "  note?: string | null;" in thing
    assert "  count?: number;" in thing
    assert "  nickname?: string;" in thing
    assert "  seen_at: IsoDateTime | null;" in thing


def test_a_struct_used_both_ways_gets_an_input_interface_only_when_the_shapes_differ():
    text = emit((Thing, RESPONSE), (Thing, REQUEST), (Plain, RESPONSE), (Plain, REQUEST))
    assert "export interface Thing {" in text and "export interface ThingInput {" in text
    assert "  count: number;" in block(text, "export interface Thing {")
    assert "  count?: number;" in block(text, "export interface ThingInput {")
    assert "export interface Plain {" in text and "PlainInput" not in text


def test_tagged_unions_become_discriminated_unions_with_an_exhaustiveness_helper():
    module = types.ModuleType("pets")
    module.Pet = Pet  # type: ignore[attr-defined]
    text = emit((Bag, RESPONSE), aliases=union_aliases([module]))
    assert "export type Pet = Cat | Dog;" in text
    assert '  kind: "cat";' in block(text, "export interface Cat {")
    assert '  kind: "dog";' in block(text, "export interface Dog {")
    assert "  pet: Pet;" in block(text, "export interface Bag {")
    assert "  pets: Pet[];" in block(text, "export interface Bag {")
    assert "export function assertNever(value: never): never {" in text


def test_an_unnamed_tagged_union_is_written_inline():
    text = emit((Bag, RESPONSE))
    assert "  pet: Cat | Dog;" in block(text, "export interface Bag {")
    assert "  pets: (Cat | Dog)[];" in block(text, "export interface Bag {")


def test_dict_datetime_uuid_and_any_mappings():
    bag = block(emit((Bag, RESPONSE)), "export interface Bag {")
    assert "  colours: Record<string, Color>;" in bag
    assert "  things_by_id: Record<string, Thing>;" in bag
    assert "  when: IsoDateTime;" in bag
    assert "  anything: unknown;" in bag


def test_recursive_types_are_named_interfaces():
    text = emit((Node, RESPONSE))
    node = block(text, "export interface Node {")
    assert "  children: Node[];" in node
    assert "  by_name: Record<string, Node> | null;" in node


def test_docstrings_and_defaults_become_tsdoc():
    text = emit((Thing, REQUEST))
    assert "/** A thing the server sends and the client sends back. */\nexport interface Thing {" in text
    assert "  /** What it is called. */\n  name: string;" in text
    assert "  /** @defaultValue 0 */\n  count?: number;" in text


def test_two_structs_with_one_name_are_refused():
    other = types.new_class("Plain", (msgspec.Struct,), {"kw_only": True})
    other.__module__ = "elsewhere"
    holder = msgspec.defstruct("Holder", [("a", Plain), ("b", other)])
    with pytest.raises(NameCollision, match="`Plain`"):
        emit((holder, RESPONSE))


def test_an_input_name_that_is_already_taken_is_refused():
    taken = msgspec.defstruct("ThingInput", [("x", int)], kw_only=True)
    with pytest.raises(NameCollision, match="`ThingInput`"):
        emit((Thing, RESPONSE), (Thing, REQUEST), (taken, RESPONSE))


def test_output_is_deterministic():
    roots = ((Bag, RESPONSE), (Thing, REQUEST))
    assert emit(*roots, enums=(Color,)) == emit(*roots, enums=(Color,))


def test_a_struct_encoded_as_an_array_is_refused_rather_than_mistyped():
    from codegen.typescript import UnsupportedType

    point = msgspec.defstruct("Point", [("x", int), ("y", int)], array_like=True)
    with pytest.raises(UnsupportedType, match="Point"):
        emit((point, RESPONSE))
