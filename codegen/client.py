"""The typed client: one `fetch` function per route, named after its operation_id."""

from __future__ import annotations

import re

import msgspec

from codegen.api import NO_CONTENT, Operation
from codegen.typescript import REQUEST, RESPONSE, NameCollision, TypeScriptEmitter, json_literal, tsdoc


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal_case(name: str) -> str:
    camel = camel_case(name)
    return camel[:1].upper() + camel[1:]


RUNTIME = """\
/** A refused request: the operation, the HTTP status and the server's {@link ErrorResponse}.
 * `status` is one of the statuses the operation declares ({@link OperationErrors}); narrow an
 * unknown error to one operation's with {@link isApiErrorOf}. */
export class ApiError<Op extends OperationId = OperationId> extends Error {
  readonly operation: Op;
  readonly status: OperationErrors[Op];
  readonly body: ErrorResponseOf<Op>;

  constructor(operation: Op, status: number, body: ErrorResponse) {
    super(body.message);
    this.name = "ApiError";
    this.operation = operation;
    this.status = status as OperationErrors[Op];
    this.body = body as ErrorResponseOf<Op>;
  }
}

/** Whether `error` is a refusal of `operation`, with that operation's error statuses. */
export function isApiErrorOf<Op extends OperationId>(error: unknown, operation: Op): error is ApiError<Op> {
  return error instanceof ApiError && error.operation === operation;
}

/** Options every call takes. */
export interface RequestOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Lets the request outlive the page (sent while the page unloads). */
  keepalive?: boolean;
}

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

let baseUrl = "";
let csrfToken: string | null = null;

/** Where the API lives; empty (the default) means the page's own origin. */
export function configureClient(options: { baseUrl?: string }): void {
  if (options.baseUrl !== undefined) baseUrl = options.baseUrl.replace(/\\/$/, "");
}

/** The CSRF token sent as `X-CSRF-Token` on unsafe requests. It is kept automatically from
 * every response that carries `csrf_token` (sign-in, current user) and dropped on a 401. */
export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  const search = params.toString();
  return baseUrl + path + (search ? `?${search}` : "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function request<T>(
  operation: OperationId,
  method: string,
  path: string,
  query: Record<string, QueryValue> | undefined,
  body: unknown,
  options: RequestOptions | undefined,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken !== null) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(buildUrl(path, query), {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: options?.signal,
    keepalive: options?.keepalive,
  });
  const isJson = (response.headers.get("Content-Type") ?? "").includes("application/json");
  const data: unknown = response.status === 204 || !isJson ? undefined : await response.json();
  if (!response.ok) {
    if (response.status === 401) csrfToken = null;
    const error: ErrorResponse = isRecord(data) && typeof data.message === "string"
      ? (data as unknown as ErrorResponse)
      : {
          status: response.status,
          code: "http_error",
          message: response.statusText || `HTTP ${response.status}`,
          errors: [],
          entity: null,
          entity_id: null,
          current_status: null,
          required_status: null,
        };
    throw new ApiError(operation, response.status, error);
  }
  if (isRecord(data) && typeof data.csrf_token === "string") csrfToken = data.csrf_token;
  return data as T;
}

function encodePath(value: string | number | boolean): string {
  return encodeURIComponent(String(value));
}
"""


ERROR_TYPES = ("ErrorResponseOf", "OperationErrors", "OperationId")
"""Declared by `render_operation_errors` at the end of types.gen.ts."""


def render_operation_errors(ops: list[Operation]) -> str:
    """The error statuses of every JSON operation, for types.gen.ts: `OperationErrors`,
    `OperationId` and `ErrorResponseOf<Op>` (an ErrorResponse with the operation's statuses)."""
    lines = [
        "",
        "// Errors of each operation -----------------------------------------------------",
        "",
        *tsdoc(["The error statuses each operation declares; every one answers with an {@link ErrorResponse}."]),
        "export interface OperationErrors {",
    ]
    for op in sorted(ops, key=lambda op: op.operation_id):
        statuses = " | ".join(str(status) for status in op.errors) or "never"
        lines.append(f"  {op.operation_id}: {statuses};")
    lines += [
        "}",
        "",
        *tsdoc(["The operation ids of the API."]),
        "export type OperationId = keyof OperationErrors;",
        "",
        *tsdoc(["An {@link ErrorResponse} of one operation: its `status` is one the operation declares."]),
        "export type ErrorResponseOf<Op extends OperationId> = ErrorResponse & { status: OperationErrors[Op] };",
    ]
    return "\n".join(lines) + "\n"


def render_client(emitter: TypeScriptEmitter, ops: list[Operation], header: list[str]) -> str:
    writer = _ClientWriter(emitter)
    for op in ops:
        writer.operation(op)
    return writer.render(header)


class _ClientWriter:
    """Collects the client's functions and query interfaces, and the type names they use."""

    def __init__(self, emitter: TypeScriptEmitter) -> None:
        emitter.prepare()
        self.emitter = emitter
        self.type_names = emitter.declared_names()
        self.used: set[str] = {"ErrorResponse"}
        self.functions: list[str] = []
        self.query_interfaces: list[str] = []
        self.claimed: dict[str, str] = {}

    def claim(self, name: str, owner: str) -> None:
        if name in self.type_names or name in self.claimed:
            raise NameCollision(
                f"client name `{name}` ({owner}) is already used by {self.claimed.get(name) or self.type_names[name]}"
            )
        self.claimed[name] = owner

    def type_of(self, tp: object, direction: str) -> str:
        text = self.emitter.ts_type(self.emitter.info(tp), direction)  # type: ignore[arg-type]
        self.used.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return text

    def query_interface(self, op: Operation, fn: str, owner: str) -> str:
        """The interface of the operation's query parameters; returns its name."""
        name = pascal_case(op.operation_id) + "Query"
        self.claim(name, owner)
        lines = [*tsdoc([f"Query parameters of `{fn}`."]), f"export interface {name} {{"]
        for p in op.query_params:
            doc = (
                [f"@defaultValue {json_literal(p.default)}"]
                if p.default is not msgspec.NODEFAULT and p.default is not None
                else []
            )
            lines.extend(tsdoc(doc, "  "))
            lines.append(f"  {p.name}{'' if p.required else '?'}: {self.type_of(p.type, REQUEST)};")
        lines.append("}")
        self.query_interfaces.append("\n".join(lines))
        return name

    def operation(self, op: Operation) -> None:
        fn = camel_case(op.operation_id)
        owner = f"{op.method} {op.path}"
        args = [f"{camel_case(p.name)}: {self.type_of(p.type, REQUEST)}" for p in op.path_params]
        if op.body is not None:
            args.append(f"body: {self.type_of(op.body, REQUEST)}")
        query_name = None
        if op.query_params:
            query_name = self.query_interface(op, fn, owner)
            required = any(p.required for p in op.query_params)
            args.append(f"query: {query_name}" + ("" if required else " = {}"))
        path_expr = "`" + re.sub(r"\{(\w+)\}", lambda m: "${encodePath(" + camel_case(m.group(1)) + ")}", op.path) + "`"
        doc = [*(op.summary or "").splitlines(), "", f"`{op.method} {op.path}`"]
        if not op.json_response:
            self.claim(fn + "Url", owner)
            query_arg = "query" if query_name else "undefined"
            lines = [
                *tsdoc([*doc, "", "Not a JSON route (a stream or a file): this gives its URL."]),
                f"export function {fn}Url({', '.join(args)}): string {{",
                f"  return buildUrl({path_expr}, {query_arg} as Record<string, QueryValue> | undefined);",
                "}",
            ]
            self.functions.append("\n".join(lines))
            return
        self.claim(fn, owner)
        returns = "void" if op.returns is NO_CONTENT else self.type_of(op.returns, RESPONSE)
        args.append("options?: RequestOptions")
        query_arg = "query as unknown as Record<string, QueryValue>" if query_name else "undefined"
        body_arg = "body" if op.body is not None else "undefined"
        lines = [
            *tsdoc(doc),
            f"export function {fn}({', '.join(args)}): Promise<{returns}> {{",
            f"  return request<{returns}>({json_literal(op.operation_id)}, {json_literal(op.method)}, {path_expr}, "
            f"{query_arg}, {body_arg}, options);",
            "}",
        ]
        self.functions.append("\n".join(lines))

    def render(self, header: list[str]) -> str:
        imports = sorted(
            [
                *(
                    name
                    for name in self.used
                    if name in self.type_names and not name.endswith("_VALUES") and name != "assertNever"
                ),
                *ERROR_TYPES,
            ]
        )
        out = [*header, ""]
        out.append("import type {")
        out.extend(f"  {name}," for name in imports)
        out.append('} from "./types.gen";')
        out.extend(["", RUNTIME.rstrip("\n")])
        if self.query_interfaces:
            out.extend(["", "// Query parameters ---------------------------------------------------------"])
            for block in self.query_interfaces:
                out.extend(["", block])
        out.extend(["", "// Operations ---------------------------------------------------------------"])
        for block in self.functions:
            out.extend(["", block])
        return "\n".join(out) + "\n"
