"""Tool chain validation (docs/tools.md): a pure function of the proposed steps, the
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
from server.workflow.parameter_checks import item_path_errors, literal_value_errors

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
    check = _ChainCheck(steps=steps, assets=assets, taken=taken)
    for index, step in enumerate(steps):
        check.step(index, step, tools.get(step.tool_id), f"{field_prefix}[{index}]")
    for asset_id, asset in assets.items():
        if asset.hop_role is AssetRole.OUTPUT and asset_id not in check.written:
            check.errors.append(
                FieldError(
                    field=field_prefix, reason=f"hop output {_asset_label(asset_id, assets)} is not written by any step"
                )
            )
    return check.errors


class _ChainCheck:
    """The state of a check as it walks the chain step by step."""

    def __init__(
        self, *, steps: Sequence[ToolStepProposal], assets: Mapping[UUID, ChainAsset], taken: Collection[UUID]
    ) -> None:
        self.errors: list[FieldError] = []
        self.taken = taken
        self.available = {asset_id for asset_id, asset in assets.items() if asset.available_at_start}
        # The assets known at each point: the visible ones plus the intermediates declared so far.
        self.known: dict[UUID, ChainAsset] = dict(assets)
        self.written: set[UUID] = set()
        self.untyped: set[UUID] = set()
        # Ids that some step writes: reading one of them too early is an ordering mistake, not
        # an unknown asset.
        self.declared_later = {
            mapping.state_asset
            for step in steps
            for mapping in step.result_mapping.values()
            if isinstance(mapping, AssetFieldMapping)
        }

    def step(self, index: int, step: ToolStepProposal, tool: ToolSpec | None, path: str) -> None:
        label = f'step {index + 1} ("{step.name}")'
        if tool is None:
            self.errors.append(
                FieldError(field=f"{path}.tool_id", reason=f'{label}: tool "{step.tool_id}" is not registered')
            )
            # Without the tool nothing else about the step can be checked, but what it writes
            # still counts, so later steps are not blamed for reading it.
            ids = [m.state_asset for m in step.result_mapping.values() if isinstance(m, AssetFieldMapping)]
            self.untyped.update(asset_id for asset_id in ids if asset_id not in self.known)
            self.available.update(ids)
            self.written.update(ids)
            return
        self.parameters(step, tool, path, label)
        step_writes = self.results(step, tool, path, label)
        # What a step writes is available to the steps after it, not to itself.
        self.available.update(step_writes)
        self.written.update(step_writes)

    def parameters(self, step: ToolStepProposal, tool: ToolSpec, path: str, label: str) -> None:
        parameters = {parameter.name: parameter for parameter in tool.parameters}
        for name, mapping in step.parameter_mapping.items():
            field = f"{path}.parameter_mapping.{name}"
            parameter = parameters.get(name)
            if parameter is None:
                self.errors.append(
                    FieldError(
                        field=field, reason=f'{label}: parameter "{name}" is not a parameter of tool "{tool.id}"'
                    )
                )
            elif isinstance(mapping, AssetFieldMapping):
                self.parameter_source(field, label, name, mapping.state_asset, parameter.schema_definition)
        self.errors.extend(
            literal_value_errors(step_label=label, tool=tool, mappings=step.parameter_mapping, path=path)
        )
        schemas = {asset_id: asset.schema_definition for asset_id, asset in self.known.items()}
        self.errors.extend(
            item_path_errors(step_label=label, tool=tool, mappings=step.parameter_mapping, schemas=schemas, path=path)
        )
        for parameter in tool.parameters:
            if parameter.required and parameter.name not in step.parameter_mapping:
                self.errors.append(
                    FieldError(
                        field=f"{path}.parameter_mapping",
                        reason=f'{label}: required parameter "{parameter.name}" of tool "{tool.id}" is not mapped',
                    )
                )

    def parameter_source(self, field: str, label: str, name: str, asset_id: UUID, expected: SchemaDefinition) -> None:
        """A parameter read from an asset: the asset must exist, be written before, and fit."""
        asset = self.known.get(asset_id)
        if asset is None:
            if asset_id in self.untyped and asset_id in self.available:
                return  # written by a step whose tool is unknown: nothing to check
            if asset_id in self.declared_later:
                reason = f'{label}: parameter "{name}" reads asset {asset_id} before any earlier step writes it'
            else:
                reason = f'{label}: parameter "{name}" reads asset {asset_id}, which this hop cannot see'
            self.errors.append(FieldError(field=field, reason=reason))
            return
        if asset_id not in self.available:
            self.errors.append(
                FieldError(
                    field=field,
                    reason=(
                        f'{label}: parameter "{name}" reads {_asset_label(asset_id, self.known)} before any earlier '
                        "step writes it"
                    ),
                )
            )
        if not feeds(asset.schema_definition, expected):
            self.errors.append(
                FieldError(
                    field=field,
                    reason=(
                        f'{label}: parameter "{name}" expects {type_label(expected)} '
                        f"but {_asset_label(asset_id, self.known)} holds {type_label(asset.schema_definition)}"
                    ),
                )
            )

    def results(self, step: ToolStepProposal, tool: ToolSpec, path: str, label: str) -> list[UUID]:
        """Check what the step writes; returns the ids it writes."""
        outputs = {output.name: output for output in tool.outputs}
        step_writes: list[UUID] = []
        for name, result in step.result_mapping.items():
            field = f"{path}.result_mapping.{name}"
            output = outputs.get(name)
            if output is None:
                self.errors.append(
                    FieldError(field=field, reason=f'{label}: result "{name}" is not an output of tool "{tool.id}"')
                )
                continue
            if not isinstance(result, AssetFieldMapping):
                continue
            asset_id = result.state_asset
            asset = self.known.get(asset_id)
            if asset is None and asset_id in self.taken:
                self.errors.append(
                    FieldError(
                        field=field,
                        reason=f'{label}: result "{name}" writes asset {asset_id}, which this hop cannot see',
                    )
                )
                continue
            if asset is None:
                # A new hop-scoped intermediate, typed by the output that creates it.
                self.known[asset_id] = ChainAsset(
                    id=asset_id,
                    name=f"{step.name}: {name}",
                    schema_definition=output.schema_definition,
                    hop_role=AssetRole.INTERMEDIATE,
                    available_at_start=False,
                )
            elif not feeds(output.schema_definition, asset.schema_definition):
                self.errors.append(
                    FieldError(
                        field=field,
                        reason=(
                            f'{label}: result "{name}" is {type_label(output.schema_definition)} '
                            f"but {_asset_label(asset_id, self.known)} holds {type_label(asset.schema_definition)}"
                        ),
                    )
                )
            step_writes.append(asset_id)
        return step_writes


def validate_tool_chain(
    *,
    steps: Sequence[ToolStepProposal],
    tools: Mapping[str, ToolSpec],
    assets: Mapping[UUID, ChainAsset],
    taken: Collection[UUID] = (),
) -> list[str]:
    """The readable errors of a proposed chain (docs/tools.md); empty when it is valid."""
    return [error.reason for error in chain_errors(steps=steps, tools=tools, assets=assets, taken=taken)]
