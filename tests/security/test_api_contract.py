"""The API contract declares its errors (docs/security.md, "Errors in the contract"): the
OpenAPI document passes an outside validator; every operation lists its error statuses, each
with the ErrorResponse schema (and Retry-After where it applies); the generated types and
client carry them per operation. Schemathesis then checks the server keeps to it."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from codegen.generate import CLIENT_FILE, ROOT, TYPES_FILE

ERROR_REF = "#/components/schemas/ErrorResponse"


async def _document(anon) -> dict:
    response = await anon.get("/api/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_the_openapi_document_passes_an_outside_validator(anon):
    validate(await _document(anon))


async def test_every_operation_declares_its_errors_with_the_error_shape(anon):
    document = await _document(anon)
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        if op["operationId"] != "health":
            assert "503" in errors, (method, path)
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (method, path, code)
            if code in ("429", "503"):
                assert "Retry-After" in response["headers"]
        if not path.startswith(("/api/auth/sign-", "/api/health", "/api/ready")):
            assert "401" in errors, (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "415"} <= set(errors), (method, path)
    sign_in = document["paths"]["/api/auth/sign-in"]["post"]["responses"]
    assert {"400", "401", "415", "429", "503"} <= set(sign_in)
    error_schema = document["components"]["schemas"]["ErrorResponse"]
    assert set(error_schema["required"]) >= {"status", "code", "message", "errors"}


def test_the_generated_types_and_client_carry_each_operations_errors():
    types = (ROOT / TYPES_FILE).read_text()
    client = (ROOT / CLIENT_FILE).read_text()
    block = types.split("export interface OperationErrors {", 1)[1].split("}", 1)[0]
    declared = dict(re.findall(r"^  (\w+): ([^;]+);", block, re.M))
    assert declared["sign_in"] == "400 | 401 | 413 | 415 | 422 | 429 | 503"
    assert declared["get_mission"] == "401 | 404 | 503"
    assert "export type ErrorResponseOf<Op extends OperationId>" in types
    assert "export class ApiError<Op extends OperationId = OperationId>" in client
    assert 'return request<CurrentUser>("sign_in", "POST"' in client
