import { keyed } from "../../ui/keys";
import { type LinkItem, safeHref } from "./choose";

/** Search results and web pages as a list of links, each with its address and snippet. */
export function LinkList({ links }: { links: LinkItem[] }) {
  return (
    <ol className="link-list">
      {keyed(links, (link) => link.url).map(([key, link]) => {
        const href = safeHref(link.url);
        return (
          <li key={key}>
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="link-title">
                {link.title}
              </a>
            ) : (
              <span className="link-title">{link.title}</span>
            )}
            <div className="link-url muted small-text">{link.url}</div>
            {link.error && <div className="field-error">Not retrieved: {link.error}</div>}
            {link.snippet && <p className="link-snippet">{link.snippet}</p>}
          </li>
        );
      })}
    </ol>
  );
}
