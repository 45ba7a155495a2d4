"""The generator reads the routes from the controllers' signatures without building the app;
what it reads must be exactly what Litestar itself makes of every route."""

from __future__ import annotations

from codegen.api import operations, read_api


def _shape(op) -> tuple:
    return (
        op.operation_id,
        op.method,
        op.path,
        op.status_code,
        [(p.name, repr(p.type), p.required) for p in op.path_params],
        [(p.name, repr(p.type), p.required, repr(p.default)) for p in op.query_params],
        repr(op.body),
        repr(op.returns),
        op.json_response,
        op.summary,
    )


def test_every_route_is_read_as_litestar_reads_it():
    from server.app import create_app

    litestar_view = [_shape(op) for op in operations(create_app())]
    ours = [_shape(op) for op in read_api()]
    assert ours == litestar_view
    assert len(ours) > 40


def test_operation_names_paths_and_parameters_of_a_route():
    by_id = {op.operation_id: op for op in read_api()}
    op = by_id["list_assets"]
    assert (op.method, op.path) == ("GET", "/api/assets")
    assert [p.name for p in op.query_params] == ["limit", "offset", "mission_id", "hop_id", "role", "status"]
    assert by_id["update_mission"].path_params[0].name == "mission_id"
    assert by_id["delete_mission"].status_code == 204
