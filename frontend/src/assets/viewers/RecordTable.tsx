import { useId, useMemo, useState } from "react";

import { cellText, columnsOf, type SortOrder, sortedIndexes } from "./records";

export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** A list of records as a table: a column per key, sorted by a click on its header (again
 * for the other direction, a third time for the original order), a page at a time. Only
 * the rows of the page are rendered, so a long list shows as fast as a short one. */
export function RecordTable({ records }: { records: readonly Record<string, unknown>[] }) {
  const columns = useMemo(() => columnsOf(records), [records]);
  const [order, setOrder] = useState<SortOrder | null>(null);
  const [pageSize, setPageSize] = useState<number>(PAGE_SIZES[1]);
  const [page, setPage] = useState(0);
  const rows = useMemo(() => sortedIndexes(records, order), [records, order]);
  const sizeId = useId();

  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages - 1);
  const start = current * pageSize;
  const shown = rows.slice(start, start + pageSize);

  const sortBy = (column: string) => {
    setOrder((was) =>
      was?.column !== column ? { column, descending: false } : was.descending ? null : { column, descending: true },
    );
    setPage(0);
  };

  return (
    <div className="record-table">
      <div className="table-scroll">
        <table>
          <caption className="muted small-text">
            {rows.length} record{rows.length === 1 ? "" : "s"}
            {order ? `, sorted by ${order.column} (${order.descending ? "descending" : "ascending"})` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="row-number">
                #
              </th>
              {columns.map((column) => (
                <th
                  key={column}
                  scope="col"
                  aria-sort={order?.column === column ? (order.descending ? "descending" : "ascending") : undefined}
                >
                  <button type="button" className="sort-button" onClick={() => sortBy(column)}>
                    {column}
                    <span className="sort-mark" aria-hidden="true">
                      {order?.column === column ? (order.descending ? "▼" : "▲") : ""}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((index) => {
              const record = records[index] ?? {};
              return (
                <tr key={index}>
                  <td className="row-number muted">{index + 1}</td>
                  {columns.map((column) => {
                    const cell = cellText(record[column]);
                    return (
                      <td key={column} className={cell.empty ? "muted" : undefined} title={cell.full ?? undefined}>
                        {cell.text}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > PAGE_SIZES[0] && (
        <nav className="pager row" aria-label="Pages">
          <button type="button" className="small" onClick={() => setPage(0)} disabled={current === 0}>
            First
          </button>
          <button type="button" className="small" onClick={() => setPage(current - 1)} disabled={current === 0}>
            Previous
          </button>
          <span className="page-of" aria-live="polite">
            Rows {start + 1}–{start + shown.length} of {rows.length} (page {current + 1} of {pages})
          </span>
          <button type="button" className="small" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>
            Next
          </button>
          <button type="button" className="small" onClick={() => setPage(pages - 1)} disabled={current >= pages - 1}>
            Last
          </button>
          <label htmlFor={sizeId} className="muted small-text">
            Rows per page
          </label>
          <select
            id={sizeId}
            className="page-size"
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              setPage(0);
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </nav>
      )}
    </div>
  );
}
