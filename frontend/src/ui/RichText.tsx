import { Fragment } from "react";

import { keyedTexts } from "./keys";

/** Text with `code` spans, as the server writes names and values in its messages. */
export function RichText({ text }: { text: string }) {
  const parts = text.split(/(`[^`]*`)/g);
  return (
    <>
      {keyedTexts(parts).map(([key, part]) =>
        part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
          <code key={key}>{part.slice(1, -1)}</code>
        ) : (
          <Fragment key={key}>{part}</Fragment>
        ),
      )}
    </>
  );
}
