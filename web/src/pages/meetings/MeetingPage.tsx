// A meeting (/app/meetings/:id): when and where, members, the tracker as a standing item,
// the cases on the agenda (add by reference, remove) and the minutes. A CDOP panel meeting shows
// its agenda lines (reference and status, for the coordinator and chair), links to its
// anonymised papers, and puts a child death on its agenda from the case (schedule_for_panel). Data: GET /meetings/{id}
// (with its ETag, sent as If-Match with the minutes), GET /case-reviews?meeting_id= (the
// agenda's children and deadlines) and, for the business unit, the names of the members.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { api, ApiError, unwrap, withEtag, type Schemas } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { StatusTag } from "../../components/StatusTag";
import { SummaryList } from "../../components/SummaryList";
import { Textarea, TextInput } from "../../components/fields";
import { errorText, fieldKey, type FieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { KIND_NAMES, MANAGER_ROLES, meetingName, ROLE_NAMES, type Meeting } from "./meetingData";

type CaseSummary = Schemas["CaseReviewSummary"];
type Versioned = { data: Meeting; etag: string };

const meetingKey = (id: number) => ["meetings", "one", id] as const;
const casesKey = (id: number) => ["meetings", "cases", id] as const;

/** The ETag of a meeting answer (POST/DELETE agenda and PUT minutes send the new one). */
function versioned(result: { data?: Meeting; error?: unknown; response: Response }): Versioned {
  return withEtag(result);
}

export function MeetingPage() {
  const params = useParams();
  const id = Number(params.id);
  const valid = Number.isInteger(id) && id > 0;
  const location = useLocation();
  const navigate = useNavigate();
  const [created, setCreated] = useState(!!(location.state as { created?: boolean } | null)?.created);
  useEffect(() => {
    // the banner is for this visit only, not for a reload or a return by the back button
    if ((location.state as { created?: boolean } | null)?.created) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);
  const { data: session } = useSession();

  const meeting = useQuery({
    queryKey: meetingKey(id),
    enabled: valid,
    queryFn: async () => versioned(await api.GET("/api/v1/meetings/{meeting_id}", { params: { path: { meeting_id: id } } })),
  });
  const kind = meeting.data?.data.kind ?? "crg";
  // a hint for the kind's managers (the business unit, the CDOP coordinator): the API decides
  const manages = hasRole(session, ...MANAGER_ROLES[kind]);
  const cases = useQuery({
    queryKey: casesKey(id),
    // the case reviews on a CRG agenda; a panel's agenda lines come with the meeting
    enabled: valid && meeting.data?.data.kind === "crg",
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/case-reviews", { params: { query: { meeting_id: id, limit: 200 } } })),
  });
  const names = useQuery({
    queryKey: ["meetings", "member-choices", kind],
    enabled: valid && manages && !!meeting.data,
    retry: false,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meetings/member-choices", { params: { query: { kind } } })),
  });

  const title = meeting.data ? meetingName(meeting.data.data) : "Meeting";
  useTitle(title);

  if (!valid) return <QueryFailed error={new ApiError(404, null)} />;
  if (meeting.isError) return <QueryFailed error={meeting.error} />;
  if (meeting.isPending) return <Loading />;

  const m = meeting.data.data;
  const byId = new Map((cases.data?.items ?? []).map((c) => [c.id, c]));
  const nameOf = new Map((names.data?.items ?? []).map((u) => [u.id, u]));
  const memberNames = m.member_ids.map((uid) => {
    const u = nameOf.get(uid);
    return u ? `${u.name} (${u.roles.map((r) => ROLE_NAMES[r] ?? r).join(", ")})` : null;
  });
  const seesCases = m.agenda.every((a) => a.case) || m.minutes !== null || manages;

  return (
    <>
      {created ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert"
          aria-labelledby="created-title">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="created-title">Success</h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">The meeting is scheduled.</p>
          </div>
        </div>
      ) : null}
      <span className="govuk-caption-l">{KIND_NAMES[m.kind].meeting}</span>
      <h1 className="govuk-heading-l">{meetingName(m)}</h1>
      <SummaryList rows={[
        { key: "Date and time", value: formatDateTime(m.scheduled_for) },
        { key: "Place", value: m.location },
        {
          key: "Members",
          value: m.member_ids.length === 0 ? "No members" : memberNames.every(Boolean) ? (
            <ul className="govuk-list">{memberNames.map((n) => <li key={n}>{n}</li>)}</ul>
          ) : `${m.member_ids.length} ${m.member_ids.length === 1 ? "member" : "members"}`,
        },
      ]} />

      {m.kind === "cdop_panel" ? (
        <p className="govuk-body">
          <Link className="govuk-link govuk-!-font-weight-bold" to={`/meetings/${m.id}/papers`}>Read the anonymised papers</Link>
        </p>
      ) : null}

      <Agenda meeting={m} cases={byId} manages={manages} seesCases={seesCases} onChange={() => setCreated(false)} />

      {m.standing_items ? <Tracker items={m.standing_items} /> : null}

      {seesCases ? <Minutes versioned={meeting.data} manages={manages} onChange={() => setCreated(false)} /> : null}

      <p className="govuk-body">
        <Link className="govuk-link" to={m.kind === "crg" ? "/meetings" : "/meetings?kind=cdop_panel"}>All meetings</Link>
      </p>
    </>
  );
}

function Tracker({ items }: { items: Schemas["TrackerItem"][] }) {
  return (
    <section aria-labelledby="tracker-heading" className="govuk-!-margin-bottom-8" data-testid="tracker">
      <h2 className="govuk-heading-m" id="tracker-heading">Standing item: the case tracker ({items.length})</h2>
      <p className="govuk-body">Every open case review, with its stage and open deadlines.</p>
      {items.length === 0 ? <p className="govuk-body">There are no open case reviews.</p> : (
        <table className="govuk-table" aria-labelledby="tracker-heading">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Reference</th>
              <th scope="col" className="govuk-table__header">Status</th>
              <th scope="col" className="govuk-table__header">Decision</th>
              <th scope="col" className="govuk-table__header">Open deadlines</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {items.map((t) => (
              <tr className="govuk-table__row" key={t.id}>
                <td className="govuk-table__cell app-nowrap">
                  <Link className="govuk-link" to={`/case-reviews/${t.id}`}>{t.reference}</Link>
                </td>
                <td className="govuk-table__cell"><StatusTag status={t.status} /></td>
                <td className="govuk-table__cell">{t.decision ? DECISIONS[t.decision] ?? humanise(t.decision) : "Not decided"}</td>
                <td className="govuk-table__cell">
                  {t.deadlines?.length ? (
                    <ul className="govuk-list govuk-!-margin-bottom-0">
                      {t.deadlines.map((d) => (
                        <li key={d.kind}>
                          {d.label}: <span className="app-nowrap">{formatDate(d.due_on)}</span>
                          {d.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
                        </li>
                      ))}
                    </ul>
                  ) : "None"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The messages of a failed agenda change: a 422 on the field, anything else as one message. */
function agendaMessages(error: unknown, field: string): FieldMessages {
  if (error instanceof ApiError && error.status === 422 && error.fieldErrors.length) {
    const out: FieldMessages = {};
    for (const e of error.fieldErrors) {
      const key = fieldKey(e) === "case_id" ? field : fieldKey(e) || "_";
      if (!(key in out)) out[key] = e.msg;
    }
    return out;
  }
  return { _: sentence(errorText(error)) };
}

/** The API's details start in lower case ("the case is already on this agenda"). */
function sentence(text: string): string {
  const out = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(out) ? out : `${out}.`;
}

const DECISIONS: Record<string, string> = {
  scr: "Serious Case Review", management_review: "Management review", single_agency_review: "Single agency review",
  learning_event: "Learning event", other_la_review: "Review by another local authority", nfa: "No further action",
};

function Agenda({ meeting, cases, manages, seesCases, onChange }: {
  meeting: Meeting; cases: Map<number, CaseSummary>; manages: boolean; seesCases: boolean; onChange: () => void;
}) {
  const panel = meeting.kind === "cdop_panel";
  const client = useQueryClient();
  const [reference, setReference] = useState("");
  const [messages, setMessages] = useState<FieldMessages>({});
  const [done, setDone] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  useEffect(() => { if (done) doneRef.current?.focus(); }, [done]);

  const changed = (next: Versioned) => {
    onChange();
    client.setQueryData(meetingKey(meeting.id), next);
    client.invalidateQueries({ queryKey: casesKey(meeting.id) });
    client.invalidateQueries({ queryKey: ["meetings", "list"] });
    client.invalidateQueries({ queryKey: ["my-work"] });
  };

  const add = useMutation({
    mutationFn: async (typed: string) => {
      const found = unwrap(await api.GET("/api/v1/case-reviews", { params: { query: { q: typed, limit: 50 } } }));
      const match = found.items.find((c) => c.reference.toLowerCase() === typed.toLowerCase());
      if (!match) return { missing: typed } as const;
      const result = versioned(await api.POST("/api/v1/meetings/{meeting_id}/agenda", {
        params: { path: { meeting_id: meeting.id } }, body: { case_id: match.id },
      }));
      return { result, reference: match.reference } as const;
    },
    onSuccess: (out) => {
      if ("missing" in out) {
        setMessages({ case_reference: `There is no case review with the reference ${out.missing}` });
        return;
      }
      changed(out.result);
      setMessages({});
      setReference("");
      setDone(`${out.reference} is on the agenda.`);
    },
    onError: (error) => { setDone(null); setMessages(agendaMessages(error, "case_reference")); },
  });

  const remove = useMutation({
    mutationFn: async (item: { id: number; reference: string }) => ({
      result: versioned(await api.DELETE("/api/v1/meetings/{meeting_id}/agenda/{case_id}", {
        params: { path: { meeting_id: meeting.id, case_id: item.id } },
      })),
      reference: item.reference,
    }),
    onSuccess: ({ result, reference: ref }) => {
      changed(result);
      setMessages({});
      setDone(`${ref} is no longer on the agenda.`);
    },
    onError: (error) => { setDone(null); setMessages(agendaMessages(error, "case_reference")); },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const typed = reference.trim();
    if (!typed) {
      setMessages({ case_reference: "Enter the reference of a case review" });
      return;
    }
    add.mutate(typed);
  };

  return (
    <section aria-labelledby="agenda-heading" className="govuk-!-margin-bottom-8" data-testid="agenda">
      <ErrorSummary items={summaryItems(messages, ["case_reference"])} />
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="status"
          aria-labelledby="agenda-done-title" tabIndex={-1} ref={doneRef} data-testid="agenda-done">
          <div className="govuk-notification-banner__header">
            <h3 className="govuk-notification-banner__title" id="agenda-done-title">Agenda changed</h3>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      <h2 className="govuk-heading-m" id="agenda-heading" tabIndex={-1} ref={headingRef}>
        Cases on the agenda ({meeting.agenda.length})
      </h2>
      {!seesCases ? (
        <p className="govuk-body">The cases on this agenda are not shown to you.</p>
      ) : meeting.agenda.length === 0 ? (
        <p className="govuk-body">There are no cases on the agenda yet.</p>
      ) : (
        <table className="govuk-table" aria-labelledby="agenda-heading">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Reference</th>
              {panel ? null : <th scope="col" className="govuk-table__header">Child</th>}
              <th scope="col" className="govuk-table__header">Status</th>
              {manages ? <th scope="col" className="govuk-table__header"><span className="govuk-visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {meeting.agenda.map((a) => {
              const full = cases.get(a.case_id);
              const ref = a.case?.reference ?? full?.reference ?? `Case ${a.case_id}`;
              const status = full?.status ?? a.case?.status;
              return (
                <tr className="govuk-table__row" key={a.case_id} data-case-id={a.case_id}>
                  <td className="govuk-table__cell app-nowrap">
                    <Link className="govuk-link" to={`/${panel ? "child-deaths" : "case-reviews"}/${a.case_id}`}>{ref}</Link>
                  </td>
                  {panel ? null : <td className="govuk-table__cell">{full?.child_name ?? "Not shown"}</td>}
                  <td className="govuk-table__cell">{status ? <StatusTag status={status} /> : null}</td>
                  {manages ? (
                    <td className="govuk-table__cell">
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                        disabled={remove.isPending}
                        onClick={() => { setDone(null); remove.mutate({ id: a.case_id, reference: ref }); }}>
                        Remove<span className="govuk-visually-hidden"> {ref} from the agenda</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {manages && panel ? (
        <p className="govuk-body">
          A child death is put on this panel from its own page, with the action to schedule it for panel.
        </p>
      ) : manages ? (
        <form onSubmit={submit} noValidate>
          <TextInput name="case_reference" label="Add a case by its reference" className="govuk-label--s"
            hint="For example, CR-2026-0001" width={20} spellCheck={false}
            value={reference} onChange={setReference} error={messages.case_reference} />
          <button type="submit" className="govuk-button govuk-button--secondary" disabled={add.isPending}>Add to agenda</button>
        </form>
      ) : null}
    </section>
  );
}

function Minutes({ versioned: current, manages, onChange }: { versioned: Versioned; manages: boolean; onChange: () => void }) {
  const client = useQueryClient();
  const m = current.data;
  const [text, setText] = useState(m.minutes ?? "");
  const [messages, setMessages] = useState<FieldMessages>({});
  const [conflict, setConflict] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const savedRef = useRef<HTMLDivElement>(null);
  useEffect(() => { if (saved) savedRef.current?.focus(); }, [saved]);

  const save = useMutation({
    mutationFn: async () =>
      versioned(await api.PUT("/api/v1/meetings/{meeting_id}/minutes", {
        params: { path: { meeting_id: m.id } }, body: { minutes: text },
        headers: { "If-Match": current.etag },
      })),
    onSuccess: (next) => {
      client.setQueryData(meetingKey(m.id), next);
      onChange();
      setMessages({});
      setConflict(null);
      setSaved(true);
    },
    onError: async (error) => {
      setSaved(false);
      if (error instanceof ApiError && error.status === 412) {
        // someone else saved first: show their version, keep what this user typed
        const fresh = versioned(await api.GET("/api/v1/meetings/{meeting_id}", { params: { path: { meeting_id: m.id } } }));
        client.setQueryData(meetingKey(m.id), fresh);
        setConflict(fresh.data.minutes ?? "");
        setMessages({ _: "Someone else changed this meeting while you were writing. Their minutes are shown below; your text is still in the box. Save again to replace theirs." });
        return;
      }
      const out: FieldMessages = {};
      if (error instanceof ApiError && error.status === 422) {
        for (const e of error.fieldErrors) out[fieldKey(e) || "_"] = e.msg;
      }
      setMessages(Object.keys(out).length ? out : { _: sentence(errorText(error)) });
    },
  });

  const updated = m.minutes_updated_at ? `Last updated ${formatDateTime(m.minutes_updated_at)}.` : "Not written yet.";
  return (
    <section aria-labelledby="minutes-heading" className="govuk-!-margin-bottom-8" data-testid="minutes">
      <h2 className="govuk-heading-m" id="minutes-heading">Minutes</h2>
      {manages || m.minutes ? <p className="govuk-body" data-testid="minutes-updated">{updated}</p> : null}
      {manages ? (
        <>
          <ErrorSummary items={summaryItems(messages, ["minutes"])} />
          {saved ? (
            <div className="govuk-notification-banner govuk-notification-banner--success" role="status"
              aria-labelledby="minutes-saved-title" tabIndex={-1} ref={savedRef}>
              <div className="govuk-notification-banner__header">
                <h3 className="govuk-notification-banner__title" id="minutes-saved-title">Success</h3>
              </div>
              <div className="govuk-notification-banner__content">
                <p className="govuk-notification-banner__heading">The minutes are saved.</p>
              </div>
            </div>
          ) : null}
          {conflict !== null ? (
            <div className="app-conflict govuk-!-margin-bottom-6" data-testid="minutes-conflict">
              <h3 className="govuk-heading-s">The minutes as they are now</h3>
              <p className="govuk-body app-field-value">{conflict || "Empty."}</p>
            </div>
          ) : null}
          <form onSubmit={(e) => { e.preventDefault(); setSaved(false); save.mutate(); }} noValidate>
            <Textarea name="minutes" label="Minutes of the meeting" rows={8} value={text}
              onChange={(v) => { setText(v); setSaved(false); }} error={messages.minutes} />
            <button type="submit" className="govuk-button" disabled={save.isPending}>Save minutes</button>
          </form>
        </>
      ) : (
        <p className="govuk-body app-field-value">{m.minutes || "No minutes yet."}</p>
      )}
    </section>
  );
}
