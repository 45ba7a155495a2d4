"""The generated TypeScript under the real compiler, and the generated client's behaviour
(cookies, CSRF header, errors) under Node with a recording `fetch`."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

from codegen.typescript import RESPONSE, TypeScriptEmitter, union_aliases
from tests.codegen import test_typescript_rules as rules

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
TSC = FRONTEND / "node_modules" / ".bin" / "tsc"


def _tsc(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(TSC),
            "--noEmit",
            "--strict",
            "--target",
            "ES2022",
            "--module",
            "ESNext",
            "--moduleResolution",
            "bundler",
            *files,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exhaustive_switch_over_a_tagged_union_compiles_and_a_missing_case_does_not(tmp_path: Path):
    import types

    module = types.ModuleType("pets")
    module.Pet = rules.Pet  # type: ignore[attr-defined]
    emitter = TypeScriptEmitter(union_aliases=union_aliases([module]))
    emitter.add_enum(rules.Color)
    emitter.add(rules.Bag, RESPONSE)
    (tmp_path / "types.gen.ts").write_text(emitter.render(["// test"]))
    (tmp_path / "good.ts").write_text(
        textwrap.dedent(
            """\
            import { assertNever, Color, COLOR_VALUES, type Bag, type Pet } from "./types.gen";
            export function describe(pet: Pet): string {
              switch (pet.kind) {
                case "cat": return `cat with ${pet.lives} lives`;
                case "dog": return pet.good ? "good dog" : "dog";
                default: return assertNever(pet);
              }
            }
            export const first: Color = COLOR_VALUES[0];
            export const red: Color = Color.RED;
            export function names(bag: Bag): string[] { return bag.tree.children.map((n) => String(n.value)); }
            """
        )
    )
    (tmp_path / "bad.ts").write_text(
        textwrap.dedent(
            """\
            import { assertNever, type Pet } from "./types.gen";
            export function describe(pet: Pet): string {
              switch (pet.kind) {
                case "cat": return "cat";
                default: return assertNever(pet);
              }
            }
            """
        )
    )
    result = _tsc(tmp_path, "good.ts", "bad.ts")
    errors = [line for line in result.stdout.splitlines() if "error TS" in line]
    assert errors, result.stdout
    assert all(line.startswith("bad.ts(5,") for line in errors), result.stdout


NODE_SCRIPT = r"""
const client = require(process.argv[2]);
const calls = [];
let next = [];
global.fetch = async (url, init) => {
  calls.push({
    url, method: init.method, headers: init.headers, credentials: init.credentials, body: init.body ?? null,
  });
  const [status, body] = next.shift();
  return {
    status, ok: status >= 200 && status < 300, statusText: "",
    headers: { get: () => (body === null ? null : "application/json") },
    json: async () => body,
  };
};
(async () => {
  const out = {};
  const user = { id: "u", email: "a@b.c", is_active: true, created_at: "2026-01-01T00:00:00Z" };
  next = [[200, { user, csrf_token: "tok" }]];
  await client.signIn({ email: "a@b.c", password: "pw" });
  next = [[200, { id: "m" }]];
  await client.updateMission("id/1", { name: "x" });
  next = [[200, { items: [], total: 0, limit: 5, offset: 0 }]];
  await client.listMissions({ limit: 5, status: null });
  next = [[409, {
    status: 409, code: "status_conflict", message: "no", errors: [],
    entity: "mission", entity_id: "m", current_status: "completed", required_status: ["in_progress"],
  }]];
  try { await client.deleteMission("m"); } catch (error) {
    out.error = {
      isApiError: error instanceof client.ApiError, status: error.status, code: error.body.code, message: error.message,
    };
  }
  next = [[401, { status: 401, code: "not_authenticated", message: "sign in", errors: [] }]];
  try { await client.getCurrentUser(); } catch (error) { out.unauthenticated = error.status; }
  next = [[204, null]];
  out.deleted = await client.deleteMission("m");
  out.calls = calls;
  console.log(JSON.stringify(out));
})();
"""


def test_generated_client_sends_cookies_and_the_csrf_token_and_throws_typed_errors(tmp_path: Path):
    transpile = (
        "const ts = require(process.argv[1]);"
        "const fs = require('fs');"
        "const src = fs.readFileSync(process.argv[2], 'utf8');"
        "const out = ts.transpileModule(src, "
        "{ compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });"
        "fs.writeFileSync(process.argv[3], out.outputText);"
    )
    compiled = tmp_path / "client.js"
    subprocess.run(
        [
            "node",
            "-e",
            transpile,
            str(FRONTEND / "node_modules" / "typescript"),
            str(FRONTEND / "src/api/client.gen.ts"),
            str(compiled),
        ],
        check=True,
        timeout=60,
    )
    (tmp_path / "run.js").write_text(NODE_SCRIPT)
    result = subprocess.run(
        ["node", str(tmp_path / "run.js"), str(compiled)], capture_output=True, text=True, timeout=60, check=True
    )
    out = json.loads(result.stdout)
    sign_in, update, listing, delete, me, delete_again = out["calls"]
    assert all(call["credentials"] == "same-origin" for call in out["calls"])
    assert sign_in["method"] == "POST" and "X-CSRF-Token" not in sign_in["headers"]
    assert json.loads(sign_in["body"]) == {"email": "a@b.c", "password": "pw"}
    assert update["url"] == "/api/missions/id%2F1" and update["method"] == "PATCH"
    assert update["headers"]["X-CSRF-Token"] == "tok"
    assert listing["url"] == "/api/missions?limit=5" and "X-CSRF-Token" not in listing["headers"]
    assert delete["headers"]["X-CSRF-Token"] == "tok"
    assert out["error"] == {"isApiError": True, "status": 409, "code": "status_conflict", "message": "no"}
    assert out["unauthenticated"] == 401
    assert "X-CSRF-Token" not in delete_again["headers"]  # the token went with the session
    assert out.get("deleted") is None


def test_wire_fixtures_that_do_not_match_the_types_fail_to_compile(tmp_path: Path):
    from codegen.fixtures import render_fixtures

    shutil.copy(FRONTEND / "src/api/types.gen.ts", tmp_path / "types.gen.ts")
    error = {
        "status": 409,
        "code": "conflict",
        "message": "no",
        "errors": [],
        "entity": None,
        "entity_id": None,
        "current_status": None,
        "required_status": None,
    }
    good = render_fixtures({"ErrorResponse": json.dumps(error).encode()}, {"ErrorResponse"})
    retired = dict(error, code=7)  # a number where the type says string
    bad = render_fixtures({"ErrorResponse": json.dumps(retired).encode()}, {"ErrorResponse"})
    unknown = render_fixtures({"ErrorResponse": json.dumps(dict(error, extra=1)).encode()}, {"ErrorResponse"})
    (tmp_path / "good.ts").write_text(good)
    (tmp_path / "bad.ts").write_text(bad)
    (tmp_path / "unknown.ts").write_text(unknown)
    result = _tsc(tmp_path, "good.ts", "bad.ts", "unknown.ts")
    errors = [line for line in result.stdout.splitlines() if "error TS" in line]
    assert {line.split("(")[0] for line in errors} == {"bad.ts", "unknown.ts"}, result.stdout


def test_wire_fixtures_use_stable_ids_and_timestamps():
    from codegen.fixtures import render_fixtures

    body = {
        "id": "3f2b8f0e-7a5e-4c2a-9a1e-0d6f1f2e3a4b",
        "email": "user7-ab12cd34@example.com",
        "is_active": True,
        "created_at": "2026-11-22T06:02:44.085610Z",
    }
    text = render_fixtures({"User": json.dumps(body).encode()}, {"User"})
    assert '"id": "00000000-0000-4000-8000-000000000001"' in text
    assert '"created_at": "2026-01-01T00:00:00Z"' in text
    assert '"email": "user@example.com"' in text
    assert text.rstrip().endswith("} satisfies User;")
