// A list's filters held in its address, so a filtered list can be bookmarked: address -> filters ->
// form -> address round-trips. One codec for every list, from the kind of each filter:
// - "list": repeated (?status=a&status=b); "flag": "true" or absent;
// - "text": trimmed; "date": as typed in the date boxes, written as YYYY-MM-DD (the API judges it);
// - "number": text in the address, a number for the API when it is digits (else the API's 422).
// A new search starts at the first page (no cursor); `limit` is kept.
import { isoDate } from "../components/fields";

export type FilterKind = "list" | "flag" | "text" | "date" | "number";
type Value<K extends FilterKind> = K extends "list" ? string[] : K extends "flag" ? boolean : string;
export type FiltersOf<S extends Record<string, FilterKind>> = { -readonly [P in keyof S]: Value<S[P]> };

export function filterCodec<const S extends Record<string, FilterKind>>(spec: S) {
  type F = FiltersOf<S>;
  type Key = keyof S & string;
  const keys = Object.keys(spec) as Key[];
  const emptyOf = (kind: FilterKind) => (kind === "list" ? [] : kind === "flag" ? false : "");
  const empty = Object.fromEntries(keys.map((k) => [k, emptyOf(spec[k])])) as F;

  function parse(search: URLSearchParams): F {
    return Object.fromEntries(keys.map((k) => {
      const kind = spec[k];
      if (kind === "list") return [k, search.getAll(k).filter(Boolean)];
      if (kind === "flag") return [k, search.get(k) === "true"];
      return [k, search.get(k) ?? ""];
    })) as F;
  }

  function toSearch(f: F, keep?: URLSearchParams): URLSearchParams {
    const out = new URLSearchParams();
    for (const k of keys) {
      const kind = spec[k];
      const v: unknown = f[k];
      if (kind === "list") for (const s of v as string[]) out.append(k, s);
      else if (kind === "flag") { if (v) out.set(k, "true"); }
      else {
        const text = kind === "date" ? isoDate(v as string) : (v as string).trim();
        if (text) out.set(k, text);
      }
    }
    const limit = keep?.get("limit");
    if (limit) out.set("limit", limit);
    return out;
  }

  const numberOrText = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);

  /** The API query for the address (filters plus limit and cursor); the API judges the values. */
  function apiQuery(search: URLSearchParams): Record<string, unknown> {
    const f = parse(search);
    const q: Record<string, unknown> = {};
    for (const k of keys) {
      const kind = spec[k];
      const v: unknown = f[k];
      if (kind === "list") { if ((v as string[]).length) q[k] = v; }
      else if (kind === "flag") { if (v) q[k] = true; }
      else if (v) q[k] = kind === "number" ? numberOrText(v as string) : v;
    }
    const limit = search.get("limit");
    if (limit) q.limit = numberOrText(limit);
    const cursor = search.get("cursor");
    if (cursor) q.cursor = cursor;
    return q;
  }

  /** The address without one filter (a value of a list filter, or a whole filter). */
  function without(search: URLSearchParams, key: Key, value?: string): string {
    const f = parse(search);
    const next = { ...f } as Record<string, unknown>;
    const kind = spec[key];
    if (kind === "list") next[key] = (f[key] as string[]).filter((s) => s !== value);
    else next[key] = emptyOf(kind);
    const s = toSearch(next as F, search).toString();
    return s ? `?${s}` : "?";
  }

  /** "?a=b" for a set of filters (missing ones empty), "" for none: a link to the filtered list. */
  function searchString(f: Partial<F>): string {
    const s = toSearch({ ...empty, ...f }).toString();
    return s ? `?${s}` : "";
  }

  return { empty, parse, toSearch, apiQuery, without, searchString };
}
