"""Codegen wall times.

1. This project: `python -m codegen` (generate) and `python -m codegen --check`, each a fresh
   process, as a developer and CI run them.
2. A synthetic schema of 1,000 Structs x 20 fields and 1,000 routes: our generator (a fresh
   process that imports the Structs and writes the types and the client) beside
   `npx openapi-typescript` (the locally pinned one) on the OpenAPI document of the same types
   and routes, in the same run.

    .venv/bin/python tests/bench/bench_codegen.py [--runs 3] [--structs 1000] [--fields 20] [--routes 1000]
"""

from __future__ import annotations

import argparse
import json
import py_compile
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"

FIELD_KINDS = (
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "UUID",
    "str | None",
    "list[str]",
    "dict[str, int]",
    "Color",
    "REF",
    "list[REF]",
    "REF | None",
    "dict[str, REF]",
    "Pet",
    "Any",
    "int = 0",
    "Color = Color.RED",
    "list[UUID] = []",
    "str | None = None",
)


def reference(i: int, j: int, structs: int) -> int:
    """Models refer to models of the next of five layers; the last layer refers to itself
    (recursive types), as real schemas nest a few levels deep."""
    layer_size = max(1, structs // 5)
    layer = i // layer_size
    if layer >= 4:
        return i
    return min(structs - 1, (layer + 1) * layer_size + (i * 7 + j) % layer_size)


def synthetic_module(structs: int, fields: int, routes: int) -> str:
    """Python source of `structs` Structs of `fields` fields each, and `routes` operations."""
    lines = [
        '"""A synthetic API schema for the codegen benchmark."""',
        "from __future__ import annotations",
        "from datetime import datetime",
        "from enum import StrEnum",
        "from typing import Any, Union",
        "from uuid import UUID",
        "import msgspec",
        "from codegen.api import Operation, Param",
        "",
        "class Color(StrEnum):",
        '    """A colour."""',
        '    RED = "red"',
        '    GREEN = "green"',
        '    BLUE = "blue"',
        "",
        'class Cat(msgspec.Struct, tag="cat", tag_field="kind", kw_only=True):',
        "    lives: int",
        "",
        'class Dog(msgspec.Struct, tag="dog", tag_field="kind", kw_only=True):',
        "    good: bool",
        "",
        "Pet = Union[Cat, Dog]",
        "",
    ]
    for i in range(structs):
        lines.append(f"class Model{i}(msgspec.Struct, kw_only=True):")
        lines.append(f'    """Synthetic model number {i}."""')
        for j in range(fields):
            kind = FIELD_KINDS[(i + j) % len(FIELD_KINDS)]
            kind = kind.replace("REF", f"Model{reference(i, j, structs)}")
            if "=" in kind:
                annotation, default = (part.strip() for part in kind.split("=", 1))
                lines.append(f"    field_{j}: {annotation} = {default}")
            else:
                lines.append(f"    field_{j}: {kind}")
            if j % 5 == 0:
                lines.append(f'    """Field {j} of model {i}."""')
        lines.append("")
    lines.append("STRUCTS = [" + ", ".join(f"Model{i}" for i in range(structs)) + "]")
    lines.append("OPERATIONS = [")
    for r in range(routes):
        model = f"Model{r % structs}"
        if r % 3 == 0:
            lines.append(
                f'    Operation("create_thing_{r}", "POST", "/api/things{r}", "Create thing {r}.", 201, '
                f"body={model}, returns={model}),"
            )
        elif r % 3 == 1:
            lines.append(
                f'    Operation("get_thing_{r}", "GET", "/api/things{r}/{{thing_id}}", "Get thing {r}.", 200,'
                f' path_params=[Param("thing_id", UUID, True)], returns={model}),'
            )
        else:
            lines.append(
                f'    Operation("list_things_{r}", "GET", "/api/things{r}", "List things {r}.", 200,'
                ' query_params=[Param("limit", int, False, 50), Param("color", Color | None, False, None)], '
                f"returns=list[{model}]),"
            )
    lines.append("]")
    return "\n".join(lines) + "\n"


OURS = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from codegen.typescript import REQUEST, RESPONSE, TypeScriptEmitter, union_aliases
from codegen.client import render_client
import bench_schema as schema
emitter = TypeScriptEmitter(union_aliases=union_aliases([schema]))
emitter.add_enum(schema.Color)
for op in schema.OPERATIONS:
    for p in (*op.path_params, *op.query_params):
        emitter.add(p.type, REQUEST)
    if op.body is not None:
        emitter.add(op.body, REQUEST)
    emitter.add(op.returns, RESPONSE)
out = Path(sys.argv[1])
(out / "types.gen.ts").write_text(emitter.render(["// bench"]))
(out / "client.gen.ts").write_text(render_client(emitter, schema.OPERATIONS, ["// bench"]))
"""

OPENAPI = """
import json, sys
sys.path.insert(0, sys.argv[1])
import msgspec
import bench_schema as schema
from codegen.api import NO_CONTENT
types = [schema.ErrorResponse] if hasattr(schema, "ErrorResponse") else []
for op in schema.OPERATIONS:
    types += [p.type for p in (*op.path_params, *op.query_params)]
    types += [t for t in (op.body, op.returns) if t is not None and t is not NO_CONTENT]
schemas, components = msgspec.json.schema_components(types, ref_template="#/components/schemas/{name}")
by_type = dict(zip(map(id, types), schemas))
paths = {}
for op in schema.OPERATIONS:
    operation = {"operationId": op.operation_id, "summary": op.summary, "parameters": [], "responses": {}}
    for p in op.path_params:
        operation["parameters"].append({"name": p.name, "in": "path", "required": True, "schema": by_type[id(p.type)]})
    for p in op.query_params:
        operation["parameters"].append(
            {"name": p.name, "in": "query", "required": p.required, "schema": by_type[id(p.type)]}
        )
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": by_type[id(op.body)]}}}
    operation["responses"][str(op.status_code)] = {
        "description": "OK",
        "content": {"application/json": {"schema": by_type[id(op.returns)]}},
    }
    paths.setdefault(op.path, {})[op.method.lower()] = operation
document = {
    "openapi": "3.1.0",
    "info": {"title": "bench", "version": "1"},
    "paths": paths,
    "components": {"schemas": components},
}
(__import__("pathlib").Path(sys.argv[1]) / "openapi.json").write_text(json.dumps(document))
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its children): on a shared machine the CPU
    time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wall(command: list[str], cwd: Path) -> float:
    return timed(command, cwd)[0]


def median_of(runs: int, command: list[str], cwd: Path) -> tuple[float, float]:
    """(median wall, median CPU) over `runs` runs."""
    results = [timed(command, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--structs", type=int, default=1000)
    parser.add_argument("--fields", type=int, default=20)
    parser.add_argument("--routes", type=int, default=1000)
    args = parser.parse_args()
    python = sys.executable

    print("== this project")
    median, cpu = median_of(args.runs, [python, "-m", "codegen"], ROOT)
    print(f"generate  (python -m codegen):          wall {median:.2f} s, CPU {cpu:.2f} s  (median; target < 1 s)")
    median, cpu = median_of(args.runs, [python, "-m", "codegen", "--check"], ROOT)
    print(f"check     (python -m codegen --check):  wall {median:.2f} s, CPU {cpu:.2f} s  (median; target < 1 s)")

    print(f"== synthetic schema: {args.structs} Structs x {args.fields} fields, {args.routes} routes")
    with tempfile.TemporaryDirectory(prefix="bench-codegen-") as folder:
        work = Path(folder)
        (work / "bench_schema.py").write_text(synthetic_module(args.structs, args.fields, args.routes))
        # Compiled once, as a project's modules are (its .pyc); openapi-typescript likewise gets
        # its input ready-made.
        py_compile.compile(str(work / "bench_schema.py"), doraise=True)
        wall([python, "-c", OPENAPI, str(work)], ROOT)
        size = (work / "openapi.json").stat().st_size
        print(f"OpenAPI document of the same types and routes: {size / 1e6:.1f} MB")
        ours, ours_cpu = median_of(args.runs, [python, "-c", OURS, str(work)], ROOT)
        lines = sum(len((work / name).read_text().splitlines()) for name in ("types.gen.ts", "client.gen.ts"))
        npx = [
            "npx",
            "--no-install",
            "openapi-typescript",
            str(work / "openapi.json"),
            "-o",
            str(work / "openapi-typescript.ts"),
        ]
        theirs, theirs_cpu = median_of(args.runs, npx, FRONTEND)
        print(f"ours (types + client, {lines} lines):  wall {ours:.2f} s, CPU {ours_cpu:.2f} s")
        print(f"npx openapi-typescript (types only):  wall {theirs:.2f} s, CPU {theirs_cpu:.2f} s")
        print(
            f"ours is {theirs / ours:.1f}x faster by wall time, {theirs_cpu / ours_cpu:.1f}x by CPU time (medians; "
            "target at least 5x)"
        )
        figures = {
            "ours_wall_s": ours,
            "ours_cpu_s": ours_cpu,
            "openapi_typescript_wall_s": theirs,
            "openapi_typescript_cpu_s": theirs_cpu,
        }
        print(json.dumps({key: round(value, 3) for key, value in figures.items()}))


if __name__ == "__main__":
    main()
