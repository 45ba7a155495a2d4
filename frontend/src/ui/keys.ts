/** Stable React keys for a read-only list: each item's own text (`keyOf`), numbered when it repeats. */
export function keyed<T>(items: readonly T[], keyOf: (item: T) => string): [key: string, item: T][] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const text = keyOf(item);
    const count = (seen.get(text) ?? 0) + 1;
    seen.set(text, count);
    return [count === 1 ? text : `${text}#${count}`, item];
  });
}

/** {@link keyed} for a list of texts. */
export function keyedTexts(texts: readonly string[]): [key: string, text: string][] {
  return keyed(texts, (text) => text);
}
