import { ApiError } from "../api/client.gen";
import type { FieldError } from "../api/types.gen";

/** A refused request as the screens show it: the server's message and its field errors. */
export interface Problem {
  message: string;
  code: string;
  errors: FieldError[];
}

/** Dispatched on `window` when the server says the sign-in has ended (401). */
export const SIGNED_OUT_EVENT = "missions:signed-out";

/** Turns anything thrown by a call into a readable problem. A 401 also tells the app that the
 * sign-in has ended, so it can show the sign-in screen. */
export function toProblem(caught: unknown): Problem {
  if (caught instanceof ApiError) {
    if (caught.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
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
