"""The dry-run check of a tool chain: every error listed, nothing stored, whatever the hop's
status."""

from __future__ import annotations

from uuid import uuid4

from tests.workflow.flow import hop_in, mission_in_progress, ok, rank_chain, snapshot


async def test_validate_chain_lists_errors_and_stores_nothing(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_started")
    source, target = mission["asset_summary"]["inputs"][0], hop["asset_summary"]["outputs"][0]
    chain = rank_chain(source, str(uuid4()), target)
    chain["steps"][0]["parameter_mapping"]["colour"] = {"type": "literal", "value": "red"}
    chain["steps"][1]["tool_id"] = "no_such_tool"
    before = await snapshot(user.user["id"])
    result = ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain))
    assert result["valid"] is False
    assert result["errors"] == [
        {
            "field": "body.steps[0].parameter_mapping.colour",
            "reason": 'step 1 ("Keep scored"): parameter "colour" is not a parameter of tool "filter"',
        },
        {"field": "body.steps[1].tool_id", "reason": 'step 2 ("Sort by score"): tool "no_such_tool" is not registered'},
    ]
    assert await snapshot(user.user["id"]) == before

    valid = ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=rank_chain(source, str(uuid4()), target)))
    assert valid == {"valid": True, "errors": []}
    assert await snapshot(user.user["id"]) == before


async def test_validate_chain_checks_resource_values_too(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_started")
    chain = {
        "steps": [
            {
                "tool_id": "summarize",
                "name": "Summary",
                "parameter_mapping": {"text": {"type": "literal", "value": "Some text."}},
                "result_mapping": {"summary": {"type": "discard"}},
                "resource_configs": {"llm_provider": {"base_url": "ftp://model.test"}},
            }
        ]
    }
    result = ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain))
    output_id = hop["asset_summary"]["outputs"][0]
    assert [(error["field"], error["reason"]) for error in result["errors"]] == [
        ("body.steps", f'hop output asset "Ranked records" ({output_id}) is not written by any step'),
        (
            "body.steps[0].resource_configs.llm_provider.base_url",
            'resource "llm_provider" field "base_url" must be an http:// or https:// URL',
        ),
    ]


async def test_a_chain_cannot_write_an_asset_of_another_mission(user):
    first = await mission_in_progress(user)
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_started")
    elsewhere = first["asset_summary"]["outputs"][0]
    chain = rank_chain(mission["asset_summary"]["inputs"][0], elsewhere, hop["asset_summary"]["outputs"][0])
    response = await user.post(f"/api/hops/{hop['id']}/implementation", json=chain)
    assert response.status_code == 422, response.text
    assert (
        response.json()["errors"][0]["reason"]
        == f'step 1 ("Keep scored"): result "items" writes asset {elsewhere}, which this hop cannot see'
    )
    assert (await user.get(f"/api/hops/{hop['id']}")).json()["status"] == "hop_impl_started"
