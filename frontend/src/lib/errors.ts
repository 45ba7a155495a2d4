import { ApiError } from "../api/client.gen";
import type { FieldError } from "../api/types.gen";

/** A refused request as the screens show it: the server's message and its field errors. */
export interface Problem {
  message: string;
  code: string;
  errors: FieldError[];
}

/** Turns anything thrown by a call into a readable problem. */
export function toProblem(caught: unknown): Problem {
  if (caught instanceof ApiError) {
    return { message: caught.body.message, code: caught.body.code, errors: caught.body.errors ?? [] };
  }
  if (caught instanceof DOMException && caught.name === "AbortError") {
    return { message: "The request was cancelled.", code: "aborted", errors: [] };
  }
  if (caught instanceof TypeError) {
    return { message: "The server cannot be reached. Check the connection and try again.", code: "network", errors: [] };
  }
  return { message: caught instanceof Error ? caught.message : String(caught), code: "error", errors: [] };
}

/** The field path without the `body.` prefix the server puts on request-body fields. */
export function fieldPath(error: FieldError): string {
  return error.field.replace(/^body\.?/, "");
}

/** The reason the server gave for the field at `path` (without `body.`), if any. */
export function fieldReason(problem: Problem | null, path: string): string | null {
  if (!problem) return null;
  const match = problem.errors.find((error) => fieldPath(error) === path);
  return match ? match.reason : null;
}

/** Whether `caught` is an abort of a request the screen no longer needs. */
export function isAbort(caught: unknown): boolean {
  return caught instanceof DOMException && caught.name === "AbortError";
}
