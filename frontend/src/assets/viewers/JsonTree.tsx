import { type KeyboardEvent, useCallback, useMemo, useState } from "react";

import { isRecord } from "./choose";

/** Children shown at first under one node, and how many more each "show more" adds. */
export const CHUNK = 100;
const ROOT = "$";

type Entries = [key: string, value: unknown][];

function entriesOf(value: unknown): Entries | null {
  if (Array.isArray(value)) return value.map((item, i) => [String(i), item]);
  if (isRecord(value)) return Object.entries(value);
  return null;
}

function childPath(parent: string, key: string): string {
  return `${parent}/${encodeURIComponent(key)}`;
}

function summary(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  const count = isRecord(value) ? Object.keys(value).length : 0;
  return `{${count} key${count === 1 ? "" : "s"}}`;
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === "string") return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="json-number">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="json-boolean">{String(value)}</span>;
  return <span className="json-null">null</span>;
}

interface TreeState {
  expanded: ReadonlySet<string>;
  limits: ReadonlyMap<string, number>;
  focused: string;
}

/** JSON as a tree (the WAI-ARIA tree pattern): objects and lists fold and unfold by a click,
 * or from the keyboard: ↑ ↓ move, → unfolds or goes to the first child, ← folds or goes to the
 * parent, Home and End, Enter or Space fold and unfold. Long lists show a hundred children at
 * a time. */
export function JsonTree({ value, label = "JSON content" }: { value: unknown; label?: string }) {
  const [state, setState] = useState<TreeState>(() => ({
    expanded: new Set([ROOT]),
    limits: new Map(),
    focused: ROOT,
  }));

  const toggle = useCallback((path: string, open?: boolean) => {
    setState((was) => {
      const expanded = new Set(was.expanded);
      if (open ?? !expanded.has(path)) expanded.add(path);
      else expanded.delete(path);
      return { ...was, expanded, focused: path };
    });
  }, []);
  const showMore = useCallback((path: string) => {
    setState((was) => {
      const limits = new Map(was.limits);
      limits.set(path, (limits.get(path) ?? CHUNK) + CHUNK);
      return { ...was, limits };
    });
  }, []);
  const focus = useCallback((path: string) => setState((was) => ({ ...was, focused: path })), []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const tree = event.currentTarget;
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item) return;
    const items = [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')];
    const at = items.indexOf(item);
    const path = item.dataset.path ?? ROOT;
    const expandable = item.hasAttribute("aria-expanded");
    const open = item.getAttribute("aria-expanded") === "true";
    const moveTo = (target: HTMLElement | null | undefined) => {
      if (!target) return;
      target.focus();
      focus(target.dataset.path ?? ROOT);
    };
    switch (event.key) {
      case "ArrowDown":
        moveTo(items[at + 1]);
        break;
      case "ArrowUp":
        moveTo(items[at - 1]);
        break;
      case "Home":
        moveTo(items[0]);
        break;
      case "End":
        moveTo(items[items.length - 1]);
        break;
      case "ArrowRight":
        if (expandable && !open) toggle(path, true);
        else if (open) moveTo(item.querySelector<HTMLElement>('[role="treeitem"]'));
        break;
      case "ArrowLeft":
        if (open) toggle(path, false);
        else moveTo(item.parentElement?.closest<HTMLElement>('[role="treeitem"]'));
        break;
      case "Enter":
      case " ":
        if (item.dataset.more !== undefined) showMore(item.dataset.more);
        else if (expandable) toggle(path);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div className="json-tree" role="tree" aria-label={label} onKeyDown={onKeyDown}>
      <TreeNode
        name={null}
        value={value}
        path={ROOT}
        level={1}
        state={state}
        onToggle={toggle}
        onMore={showMore}
        onFocus={focus}
      />
    </div>
  );
}

interface NodeProps {
  name: string | null;
  value: unknown;
  path: string;
  level: number;
  state: TreeState;
  onToggle: (path: string) => void;
  onMore: (path: string) => void;
  onFocus: (path: string) => void;
}

function TreeNode({ name, value, path, level, state, onToggle, onMore, onFocus }: NodeProps) {
  const entries = useMemo(() => entriesOf(value), [value]);
  const expandable = entries !== null && entries.length > 0;
  const open = expandable && state.expanded.has(path);
  const limit = state.limits.get(path) ?? CHUNK;
  const label = (
    <>
      {name !== null && <span className="json-key">{name}</span>}
      {name !== null && <span className="json-colon">: </span>}
      {entries === null ? <Scalar value={value} /> : <span className="json-summary">{summary(value)}</span>}
    </>
  );
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree's keys are handled on its root (see JsonTree)
    <div
      role="treeitem"
      aria-level={level}
      aria-expanded={expandable ? open : undefined}
      tabIndex={state.focused === path ? 0 : -1}
      data-path={path}
      onFocus={(event) => {
        event.stopPropagation();
        if (event.target === event.currentTarget) onFocus(path);
      }}
      onClick={(event) => {
        event.stopPropagation();
        if (expandable) onToggle(path);
        else onFocus(path);
      }}
    >
      <div className="tree-row">
        <span className="tree-toggle" aria-hidden="true">
          {expandable ? (open ? "▾" : "▸") : ""}
        </span>
        {label}
      </div>
      {open && expandable && (
        // biome-ignore lint/a11y/useSemanticElements: a tree item's children, as the ARIA tree pattern groups them
        <div role="group">
          {entries.slice(0, limit).map(([key, child]) => (
            <TreeNode
              key={key}
              name={key}
              value={child}
              path={childPath(path, key)}
              level={level + 1}
              state={state}
              onToggle={onToggle}
              onMore={onMore}
              onFocus={onFocus}
            />
          ))}
          {entries.length > limit && (
            // biome-ignore lint/a11y/useKeyWithClickEvents: Enter and Space are handled on the tree's root
            <div
              role="treeitem"
              aria-level={level + 1}
              className="tree-more"
              tabIndex={state.focused === `${path}#more` ? 0 : -1}
              data-path={`${path}#more`}
              data-more={path}
              onFocus={(event) => {
                event.stopPropagation();
                onFocus(`${path}#more`);
              }}
              onClick={(event) => {
                event.stopPropagation();
                onMore(path);
              }}
            >
              Show {Math.min(CHUNK, entries.length - limit)} more of {entries.length - limit} remaining
            </div>
          )}
        </div>
      )}
    </div>
  );
}
