import DOMPurify from "dompurify";
import { Marked } from "marked";

/** Markdown to safe HTML: parsed by `marked` (GitHub-flavoured), then cleaned by DOMPurify.
 * What the page's Content-Security-Policy would refuse is left out rather than reported:
 * no inline styles, no images from other hosts (an image becomes a link to it), no forms. */

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

const marked = new Marked({
  gfm: true,
  renderer: {
    image({ href, text }) {
      const label = escapeHtml(text || "image");
      return `<a href="${escapeHtml(href)}" class="image-link">🖼 ${label}</a>`;
    },
  },
});

let purifier: ReturnType<typeof DOMPurify> | null = null;

function purify(): ReturnType<typeof DOMPurify> {
  if (purifier === null) {
    purifier = DOMPurify(window);
    purifier.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.hasAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
    });
  }
  return purifier;
}

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return purify().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["img", "style", "form", "input", "button", "select", "textarea", "video", "audio", "picture"],
    FORBID_ATTR: ["style", "class", "id"],
  });
}
