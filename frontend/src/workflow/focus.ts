/** Keeps the person's place through an action that redraws the screen. Call it before the
 * action with the element the action starts from; call what it returns once the screen shows
 * the result. When the focused element went away with the old screen, the focus moves to the
 * nearest place that is still there: the primary button of the enclosing `[data-focus-home]`
 * (the mission, the hop), else its first field, else the home itself; the page does not jump. */
export function keepFocusIn(start: Element | null): () => void {
  const home = start?.closest<HTMLElement>("[data-focus-home]")?.dataset.focusHome ?? null;
  return () => {
    // After React has drawn the new state.
    window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      if (home === null) return;
      const place = document.querySelector<HTMLElement>(`[data-focus-home="${CSS.escape(home)}"]`);
      if (!place) return;
      const target =
        place.querySelector<HTMLElement>("button.primary:not([aria-disabled='true']):not(:disabled)") ??
        place.querySelector<HTMLElement>("input, select, textarea") ??
        place;
      target.focus({ preventScroll: target === place });
    });
  };
}
