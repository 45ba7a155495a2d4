import { type ReactNode, useEffect, useId, useRef } from "react";

/** A modal dialog asking the person to confirm an action that cannot be undone. The browser's
 * own `<dialog>` keeps the focus inside it, closes on Escape and gives the focus back to the
 * button that opened it. The safe choice (`cancelLabel`) has the focus first. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  cancelLabel = "Go back",
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    // The button that opened it gets the focus back, however the dialog closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      // A close event that finds the dialog open again is stale (React's second mount in development).
      onClose={() => {
        if (!ref.current?.open) onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId} className="confirm-body">
        {children}
      </div>
      <div className="row actions confirm-actions">
        <button
          type="button"
          className={danger ? "danger" : "primary"}
          onClick={() => {
            ref.current?.close();
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button
          type="button"
          // biome-ignore lint/a11y/noAutofocus: a dialog puts the focus on its safe choice
          autoFocus
          onClick={() => ref.current?.close()}
        >
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
