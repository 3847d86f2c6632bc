// A meeting's date (the three GOV.UK boxes, "YYYY-M-D" as typed) and time ("2pm", "14:30") in
// London -> the `scheduled_for` the API takes: an RFC 3339 timestamp with London's offset that day.

export type TimeParts = { hour: number; minute: number };

/** "2pm", "2:30pm", "14:30", "14.30", "9am", "0930", "noon", "midday" -> hours and minutes, or null. */
export function parseTime(text: string): TimeParts | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, "");
  if (t === "noon" || t === "midday" || t === "12noon") return { hour: 12, minute: 0 };
  const m = /^(\d{1,2})(?:[:.]?(\d{2}))?(am|pm)?$/.exec(t);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  const half = m[3];
  if (minute > 59) return null;
  if (half) {
    if (hour < 1 || hour > 12) return null;
    if (half === "am" && hour === 12) hour = 0;
    if (half === "pm" && hour !== 12) hour += 12;
  } else if (hour > 23) {
    return null;
  }
  return { hour, minute };
}

/** "YYYY-M-D" as typed -> the parts, when it is a real calendar date. */
export function parseDate(value: string): { year: number; month: number; day: number } | null {
  const [y = "", m = "", d = ""] = (value || "").split("-");
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return null;
  const year = Number(y), month = Number(m), day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

const LONDON = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", hourCycle: "h23",
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
});

/** London's offset from UTC, in minutes, at an instant. */
export function londonOffsetMinutes(instant: number): number {
  const parts = Object.fromEntries(LONDON.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour),
    Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60000);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The date and time in London as an RFC 3339 timestamp with its offset, or null when either is not valid. */
export function scheduledFor(date: string, time: string): string | null {
  const d = parseDate(date);
  const t = parseTime(time);
  if (!d || !t) return null;
  const wallAsUtc = Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute);
  // the offset at the instant that wall time names (checked twice around the clock change)
  let offset = londonOffsetMinutes(wallAsUtc - londonOffsetMinutes(wallAsUtc) * 60000);
  offset = londonOffsetMinutes(wallAsUtc - offset * 60000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${d.year}-${pad(d.month)}-${pad(d.day)}T${pad(t.hour)}:${pad(t.minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
