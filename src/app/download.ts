/**
 * Save a file the app made (audit trail, SR, series ZIP, reader study) through the browser's download:
 * a link to a blob URL, clicked, and the URL let go once the download has had time to start. The name is
 * the caller's; none carries a patient identifier.
 */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
