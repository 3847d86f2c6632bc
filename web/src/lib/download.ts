// Offering data the app fetched as a file the browser saves.

/** Offer text as a file download through a Blob URL (allowed by the app's CSP: a download is not
 * a fetch, frame or script; the URL is revoked once the browser has it). */
export function saveText(text: string, filename: string, type = "text/csv"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A JSON document as a file (indented, with a final newline). */
export function saveJson(data: unknown, filename: string): void {
  saveText(`${JSON.stringify(data, null, 2)}\n`, filename, "application/json");
}
