import { useEffect, useRef, type RefObject } from 'react';

/**
 * Open a `<dialog>` as a modal when it mounts, at its top, and give focus back to the control that opened
 * it when it goes away (Escape, its close button, or the app closing it).
 */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  // Taken at the first render, before the dialog takes focus (StrictMode's second mount keeps it).
  const opener = useRef(document.activeElement instanceof HTMLElement ? document.activeElement : null);
  useEffect(() => {
    const d = ref.current;
    // No close() on cleanup: a dialog removed from the page is gone anyway, and under StrictMode's
    // mount-unmount-mount the close event would fire after the second mount and dismiss it.
    if (d && !d.open) {
      d.showModal();
      d.scrollTop = 0;
    }
    const back = opener.current;
    return () => {
      // After this render's commit the dialog is gone; focus then goes back (a frame later, once the
      // modal state has been released).
      requestAnimationFrame(() => {
        if (back?.isConnected && !document.querySelector('dialog[open]')) back.focus();
      });
    };
  }, []);
  return ref;
}
