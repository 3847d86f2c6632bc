// Dates as GOV.UK writes them: "7 December 2026"; times "7 December 2026 at 2:05pm".
const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/London" });
const TIME = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", hour12: true, timeZone: "Europe/London" });

export function formatDate(value: string | null | undefined): string {
  if (!value) return "";
  // a plain date (YYYY-MM-DD) is a calendar day, not a moment: read it at noon UTC
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return Number.isNaN(d.getTime()) ? value : DATE.format(d);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  // GOV.UK style: "2pm", "2:30pm", "12pm" (midday)
  return `${DATE.format(d)} at ${TIME.format(d).replace(" ", "").replace(":00", "").toLowerCase()}`;
}

/** "review_in_progress" -> "Review in progress" (for codes the API gives no label for). */
export function humanise(code: string | null | undefined): string {
  if (!code) return "";
  const words = code.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Today's date in London as YYYY-MM-DD. */
export function todayIso(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(new Date());
  return parts;
}
