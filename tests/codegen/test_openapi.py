"""The served OpenAPI document tells outside clients the same truth as the generated types."""

from __future__ import annotations

from server.enums import HopStatus, ToolExecutionStatus


async def document(anon) -> dict:
    response = await anon.get("/api/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_tagged_unions_carry_their_discriminator_and_mapping(anon):
    schemas = (await document(anon))["components"]["schemas"]
    mapping = schemas["ToolStep"]["properties"]["parameter_mapping"]["additionalProperties"]
    assert mapping["oneOf"] == [
        {"$ref": "#/components/schemas/AssetFieldMapping"},
        {"$ref": "#/components/schemas/LiteralMapping"},
    ]
    assert mapping["discriminator"] == {
        "propertyName": "type",
        "mapping": {
            "asset_field": "#/components/schemas/AssetFieldMapping",
            "literal": "#/components/schemas/LiteralMapping",
        },
    }
    output = schemas["HopPlanProposal"]["properties"]["output"]
    assert output["discriminator"]["mapping"] == {
        "new_asset": "#/components/schemas/NewAssetOutput",
        "existing_asset": "#/components/schemas/ExistingAssetOutput",
    }
    assert schemas["NewAssetOutput"]["properties"]["type"] == {"enum": ["new_asset"]}
    assert "type" in schemas["NewAssetOutput"]["required"]


async def test_enum_components_list_values_in_declaration_order_without_a_field_default(anon):
    schemas = (await document(anon))["components"]["schemas"]
    assert schemas["HopStatus"]["enum"] == [member.value for member in HopStatus]
    assert schemas["ToolExecutionStatus"]["enum"] == [member.value for member in ToolExecutionStatus]
    assert "default" not in schemas["HopStatus"] and "default" not in schemas["ToolExecutionStatus"]
    # The default belongs to the field that has it.
    assert schemas["HopPlanProposal"]["properties"]["is_final"]["default"] is False


async def test_what_only_the_server_sends_lists_every_field_as_required(anon):
    schemas = (await document(anon))["components"]["schemas"]
    tool_step = schemas["ToolStep"]
    assert set(tool_step["required"]) == set(tool_step["properties"])  # `status` has a default, and is always sent
    # A request body keeps its optional fields optional.
    assert schemas["MissionProposal"]["required"] == ["name"]


async def test_an_outside_generator_reads_the_document_with_discriminators_and_required_fields(anon, tmp_path):
    import json
    import subprocess
    from pathlib import Path

    frontend = Path(__file__).resolve().parents[2] / "frontend"
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(await document(anon)))
    target = tmp_path / "schema.ts"
    subprocess.run(
        [str(frontend / "node_modules/.bin/openapi-typescript"), str(source), "-o", str(target)],
        cwd=frontend,
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = target.read_text()
    tool_step = text[text.index("        ToolStep: {") :]
    tool_step = tool_step[: tool_step.index("\n        };")]
    assert 'status: components["schemas"]["ToolExecutionStatus"];' in tool_step  # required, not `status?:`
    assert 'type: "asset_field";' in text  # the discriminator narrows the union
