"""Request and result shapes of the transitions that the proposal Structs in
`server.missions.schemas` do not cover."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from server.schemas import FieldError, Input, Output


class ToolStepConfiguration(Input, kw_only=True):
    """Values for a step's resources (transition 2.6b, docs/state-machine.md). Fields not named keep their stored value;
    a null value clears a field. Secret fields are stored encrypted and never returned."""

    resource_configs: Annotated[dict[str, dict[str, Any]], Meta(max_length=20)]
    """Resource id -> field name -> value."""


class ChainValidation(Output, kw_only=True):
    """The result of checking a tool chain without storing it."""

    valid: bool
    errors: list[FieldError]
    """Every error at once, each naming the step, the parameter or output, and the asset."""
