import { useCallback, useEffect, useRef, useState } from "react";

/** Work in a form kept in the browser (localStorage) while it is written, so a reload or a
 * closed tab loses nothing: restored when the form opens again, cleared once proposed or
 * discarded. Each draft is stored under its own key (per hop and form). */

const PREFIX = "missions.draft.v1:";

interface Stored {
  savedAt: string;
  value: unknown;
}

function read(key: string): Stored | null {
  try {
    const text = window.localStorage.getItem(PREFIX + key);
    if (text === null) return null;
    const stored = JSON.parse(text) as Partial<Stored>;
    return typeof stored.savedAt === "string" && "value" in stored
      ? { savedAt: stored.savedAt, value: stored.value }
      : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify({ savedAt: new Date().toISOString(), value }));
  } catch {
    // Storage full or turned off: the form still works, without a kept draft.
  }
}

export function removeDraft(key: string): void {
  try {
    window.localStorage.removeItem(PREFIX + key);
  } catch {
    // as above
  }
}

export interface StoredDraft<T> {
  value: T;
  setValue: (update: (was: T) => T) => void;
  /** When the draft shown was saved, if it was restored from an earlier visit. */
  restoredAt: string | null;
  /** Work not yet proposed: changed here, or restored. */
  unsaved: boolean;
  /** Back to the form's starting values, the kept draft removed. */
  discard: () => void;
  /** The draft is done with (proposed): removed, nothing left unsaved. */
  clear: () => void;
}

/** A form's state kept under `key`. `revive` checks a stored value (null when it is not one),
 * `toStored` leaves out what must not be kept (secrets). */
export function useStoredDraft<T>(
  key: string,
  initial: () => T,
  revive: (raw: unknown) => T | null,
  toStored: (value: T) => unknown = (value) => value,
): StoredDraft<T> {
  const [state, setState] = useState(() => {
    const stored = read(key);
    const revived = stored ? revive(stored.value) : null;
    return revived !== null && stored
      ? { value: revived, restoredAt: stored.savedAt, unsaved: true }
      : { value: initial(), restoredAt: null as string | null, unsaved: false };
  });
  const latest = useRef({ key, toStored });
  latest.current = { key, toStored };

  const setValue = useCallback((update: (was: T) => T) => {
    setState((was) => {
      const value = update(was.value);
      write(latest.current.key, latest.current.toStored(value));
      return { ...was, value, unsaved: true };
    });
  }, []);
  const discard = useCallback(() => {
    removeDraft(latest.current.key);
    setState({ value: initial(), restoredAt: null, unsaved: false });
  }, [initial]);
  const clear = useCallback(() => {
    removeDraft(latest.current.key);
    setState((was) => ({ ...was, restoredAt: null, unsaved: false }));
  }, []);

  return { ...state, setValue, discard, clear };
}

/** Asks before the page is left (reload, close, another address) while `unsaved`. */
export function useLeaveWarning(unsaved: boolean): void {
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);
}
