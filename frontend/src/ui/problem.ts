import { ApiError } from "../api/client.gen";
import type { FieldError } from "../api/types.gen";

/** A refused request as the screens show it: the server's message and its field errors. */
export interface Problem {
  message: string;
  code: string;
  errors: FieldError[];
  /** What the person can do about it, when the message does not say. */
  hint?: string | null;
}

/** What to do after a refusal with `status`, where the server's message says what went wrong
 * but not what to do next. */
function hintFor(
  status: number,
  body: { current_status?: string | null; errors?: FieldError[] | null },
): string | null {
  if (status === 409) {
    return body.current_status
      ? "It changed in the meantime: the page now shows it as it is. Check it, then try again if it still applies."
      : "Something changed in the meantime: the page now shows the latest state. Try again if it still applies.";
  }
  if (status === 404) return "It may have been removed: reload the page to see what is there now.";
  if (status === 413) return "Make it smaller and try again.";
  if (status === 429) return "Wait a moment, then try again.";
  if (status === 503) return "The server is busy: try again in a moment.";
  if (status >= 500) return "This is a fault on the server, not in what you entered: try again in a moment.";
  return null;
}

/** Turns anything thrown by a call into a readable problem. (A 401 also ends the sign-in:
 * the query client's caches see every failed request and say so, see `app/queryClient.ts`.) */
export function toProblem(caught: unknown): Problem {
  if (caught instanceof ApiError) {
    return {
      message: caught.body.message,
      code: caught.body.code,
      errors: caught.body.errors ?? [],
      hint: hintFor(caught.status, caught.body),
    };
  }
  if (caught instanceof DOMException && caught.name === "AbortError") {
    return { message: "The request was cancelled.", code: "aborted", errors: [] };
  }
  if (caught instanceof TypeError) {
    return {
      message: "The server cannot be reached. Check the connection and try again.",
      code: "network",
      errors: [],
    };
  }
  return { message: caught instanceof Error ? caught.message : String(caught), code: "error", errors: [] };
}

const problems = new WeakMap<object, Problem>();

/** The problem of a query's or mutation's last failure, if any: the same object for the same
 * failure (a field tells a new refusal from the one the person already fixed). */
export function problemOf(error: unknown): Problem | null {
  if (!error) return null;
  if (typeof error !== "object") return toProblem(error);
  let problem = problems.get(error);
  if (!problem) {
    problem = toProblem(error);
    problems.set(error, problem);
  }
  return problem;
}

/** Whether the server answered that nobody is signed in (an expired or closed sign-in). */
export function isSignedOut(caught: unknown): boolean {
  return caught instanceof ApiError && caught.status === 401;
}

/** Whether the server answered that the thing asked for does not exist. */
export function isNotFound(caught: unknown): boolean {
  return caught instanceof ApiError && caught.status === 404;
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

/** The server's reason for a field in plain words where it is a common constraint
 * (`Expected \`str\` of length >= 8` -> `Use at least 8 characters.`); else as given. */
export function readableReason(reason: string, formMessage = "This is not in the expected form."): string {
  const atLeast = /^Expected `str` of length >= (\d+)$/.exec(reason);
  if (atLeast) return atLeast[1] === "1" ? "This field is required." : `Use at least ${atLeast[1]} characters.`;
  const atMost = /^Expected `str` of length <= (\d+)$/.exec(reason);
  if (atMost) return `Use at most ${atMost[1]} characters.`;
  if (/^Expected `str` matching regex/.test(reason)) return formMessage;
  if (/^Object missing required field/.test(reason)) return "This field is required.";
  return reason;
}
