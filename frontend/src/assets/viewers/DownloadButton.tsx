import type { SchemaDefinition } from "../../api/types.gen";
import { downloadOf } from "./choose";

/** Saves the content as a file: markdown as `.md`, text as `.txt`, anything else as `.json`. */
export function DownloadButton({
  name,
  definition,
  content,
}: {
  name: string;
  definition: Pick<SchemaDefinition, "type">;
  content: unknown;
}) {
  const file = downloadOf(name, definition, content);
  const save = () => {
    const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
    const link = document.createElement("a");
    link.href = url;
    link.download = file.filename;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has started from the URL by now; keep it a moment for slower browsers.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <button type="button" className="small download" onClick={save} title={`Save as ${file.filename}`}>
      Download {file.filename.slice(file.filename.lastIndexOf("."))}
    </button>
  );
}
