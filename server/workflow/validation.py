"""Tool chain validation (SPEC section 5): a pure function of the proposed steps, the
registered tools and the assets the hop can see, returning every error at once.

Each error names the step, the parameter or output, and the asset, so a person can fix the
chain from the message alone; the field path lets the SPA point at the offending input.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from uuid import UUID

import msgspec

from server.enums import AssetRole, ValueType
from server.missions.schemas import ToolStepProposal
from server.schemas import AssetFieldMapping, FieldError, SchemaDefinition
from server.tools.schemas import ToolSpec

GENERAL_TYPES = frozenset(
    {ValueType.STRING, ValueType.NUMBER, ValueType.BOOLEAN, ValueType.PRIMITIVE, ValueType.OBJECT}
)
"""Every other ValueType is canonical: a domain shape (email, webpage, ...) that a string or an
object can carry."""
CANONICAL_FEEDERS = frozenset({ValueType.STRING, ValueType.OBJECT})


class ChainAsset(msgspec.Struct, kw_only=True, frozen=True):
    """An asset the hop can see, as validation needs it."""

    id: UUID
    name: str
    schema_definition: SchemaDefinition
    hop_role: AssetRole | None
    """Its role in this hop, or None for a mission asset the hop does not map."""
    available_at_start: bool
    """True when its data exists before the hop runs (a hop input, or a mission asset that is
    an input or was produced by an earlier hop)."""


def type_label(schema: SchemaDefinition) -> str:
    return f"{schema.type.value}[]" if schema.is_array else schema.type.value


def feeds(source: SchemaDefinition, target: SchemaDefinition) -> bool:
    """Whether data described by `source` can be used where `target` is expected: the same
    ValueType and array-ness, or a string or object feeding a canonical type. A canonical
    value is itself a structured object, so it also feeds a plain `object` (a web page into a
    generic extract step)."""
    if source.is_array != target.is_array:
        return False
    if source.type == target.type:
        return True
    if target.type not in GENERAL_TYPES:
        return source.type in CANONICAL_FEEDERS
    return target.type is ValueType.OBJECT and source.type not in GENERAL_TYPES


def _asset_label(asset_id: UUID, assets: Mapping[UUID, ChainAsset]) -> str:
    asset = assets.get(asset_id)
    return f'asset "{asset.name}" ({asset_id})' if asset else f"asset {asset_id}"


def chain_errors(
    *,
    steps: Sequence[ToolStepProposal],
    tools: Mapping[str, ToolSpec],
    assets: Mapping[UUID, ChainAsset],
    taken: Collection[UUID] = (),
    field_prefix: str = "body.steps",
) -> list[FieldError]:
    """Every error of the chain, in step order, each with the path of the field at fault.

    `assets` are the assets the hop can see (its hop asset map plus the mission's assets). An
    `asset_field` result naming an id the hop cannot see declares a new hop-scoped
    intermediate, which later steps may read, unless that id is `taken` (an existing asset
    outside the hop's view).
    """
    errors: list[FieldError] = []
    available = {asset_id for asset_id, asset in assets.items() if asset.available_at_start}
    # The assets known at each point: the visible ones plus the intermediates declared so far.
    known: dict[UUID, ChainAsset] = dict(assets)
    written: set[UUID] = set()
    untyped: set[UUID] = set()
    # Ids that some step writes: reading one of them too early is an ordering mistake, not an
    # unknown asset.
    declared_later = {
        mapping.state_asset
        for step in steps
        for mapping in step.result_mapping.values()
        if isinstance(mapping, AssetFieldMapping)
    }

    for index, step in enumerate(steps):
        label = f'step {index + 1} ("{step.name}")'
        path = f"{field_prefix}[{index}]"
        tool = tools.get(step.tool_id)
        if tool is None:
            errors.append(
                FieldError(field=f"{path}.tool_id", reason=f'{label}: tool "{step.tool_id}" is not registered')
            )
            # Without the tool nothing else about the step can be checked, but what it writes
            # still counts, so later steps are not blamed for reading it.
            ids = [m.state_asset for m in step.result_mapping.values() if isinstance(m, AssetFieldMapping)]
            untyped.update(asset_id for asset_id in ids if asset_id not in known)
            available.update(ids)
            written.update(ids)
            continue

        parameters = {parameter.name: parameter for parameter in tool.parameters}
        for name, mapping in step.parameter_mapping.items():
            field = f"{path}.parameter_mapping.{name}"
            parameter = parameters.get(name)
            if parameter is None:
                errors.append(
                    FieldError(
                        field=field, reason=f'{label}: parameter "{name}" is not a parameter of tool "{tool.id}"'
                    )
                )
                continue
            if not isinstance(mapping, AssetFieldMapping):
                continue
            asset_id = mapping.state_asset
            asset = known.get(asset_id)
            if asset is None:
                if asset_id in untyped and asset_id in available:
                    continue  # written by a step whose tool is unknown: nothing to check
                if asset_id in declared_later:
                    reason = f'{label}: parameter "{name}" reads asset {asset_id} before any earlier step writes it'
                else:
                    reason = f'{label}: parameter "{name}" reads asset {asset_id}, which this hop cannot see'
                errors.append(FieldError(field=field, reason=reason))
                continue
            if asset_id not in available:
                errors.append(
                    FieldError(
                        field=field,
                        reason=(
                            f'{label}: parameter "{name}" reads {_asset_label(asset_id, known)} before any earlier '
                            "step writes it"
                        ),
                    )
                )
            if not feeds(asset.schema_definition, parameter.schema_definition):
                errors.append(
                    FieldError(
                        field=field,
                        reason=(
                            f'{label}: parameter "{name}" expects {type_label(parameter.schema_definition)} '
                            f"but {_asset_label(asset_id, known)} holds {type_label(asset.schema_definition)}"
                        ),
                    )
                )
        for parameter in tool.parameters:
            if parameter.required and parameter.name not in step.parameter_mapping:
                errors.append(
                    FieldError(
                        field=f"{path}.parameter_mapping",
                        reason=f'{label}: required parameter "{parameter.name}" of tool "{tool.id}" is not mapped',
                    )
                )

        outputs = {output.name: output for output in tool.outputs}
        step_writes: list[UUID] = []
        for name, mapping in step.result_mapping.items():
            field = f"{path}.result_mapping.{name}"
            output = outputs.get(name)
            if output is None:
                errors.append(
                    FieldError(field=field, reason=f'{label}: result "{name}" is not an output of tool "{tool.id}"')
                )
                continue
            if not isinstance(mapping, AssetFieldMapping):
                continue
            asset_id = mapping.state_asset
            asset = known.get(asset_id)
            if asset is None and asset_id in taken:
                errors.append(
                    FieldError(
                        field=field,
                        reason=f'{label}: result "{name}" writes asset {asset_id}, which this hop cannot see',
                    )
                )
                continue
            if asset is None:
                # A new hop-scoped intermediate, typed by the output that creates it.
                known[asset_id] = ChainAsset(
                    id=asset_id,
                    name=f"{step.name}: {name}",
                    schema_definition=output.schema_definition,
                    hop_role=AssetRole.INTERMEDIATE,
                    available_at_start=False,
                )
            elif not feeds(output.schema_definition, asset.schema_definition):
                errors.append(
                    FieldError(
                        field=field,
                        reason=(
                            f'{label}: result "{name}" is {type_label(output.schema_definition)} '
                            f"but {_asset_label(asset_id, known)} holds {type_label(asset.schema_definition)}"
                        ),
                    )
                )
            step_writes.append(asset_id)
        # What a step writes is available to the steps after it, not to itself.
        available.update(step_writes)
        written.update(step_writes)

    for asset_id, asset in assets.items():
        if asset.hop_role is AssetRole.OUTPUT and asset_id not in written:
            errors.append(
                FieldError(
                    field=field_prefix, reason=f"hop output {_asset_label(asset_id, assets)} is not written by any step"
                )
            )
    return errors


def validate_tool_chain(
    *,
    steps: Sequence[ToolStepProposal],
    tools: Mapping[str, ToolSpec],
    assets: Mapping[UUID, ChainAsset],
    taken: Collection[UUID] = (),
) -> list[str]:
    """The readable errors of a proposed chain (SPEC section 5); empty when it is valid."""
    return [error.reason for error in chain_errors(steps=steps, tools=tools, assets=assets, taken=taken)]
