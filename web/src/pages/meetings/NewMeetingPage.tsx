// Schedule a CRG meeting (/app/meetings/new) or a CDOP panel (?kind=cdop_panel): title, date and time (London), place, and members
// chosen from the active users with CRG roles (GET /meetings/member-choices: the business unit
// may not list users, so the API gives a meeting manager those users' names and CRG roles only).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { Checkboxes, DateInput, TextInput } from "../../components/fields";
import { errorText, fieldMessages, type FieldMessages } from "../../lib/errors";
import { KIND_NAMES, kindOf, ROLE_NAMES, type MeetingKind } from "./meetingData";
import { parseDate, parseTime, scheduledFor } from "./scheduledFor";

const ORDER = ["title", "scheduled_for", "scheduled_time", "location", "member_ids"];

/** Messages for what cannot be sent as typed (the API checks the rest). */
export function checkWhen(date: string, time: string): FieldMessages {
  const out: FieldMessages = {};
  if (!date) out.scheduled_for = "Enter the date of the meeting";
  else if (!parseDate(date)) out.scheduled_for = "The date of the meeting must be a real date";
  if (!time.trim()) out.scheduled_time = "Enter the time of the meeting";
  else if (!parseTime(time)) out.scheduled_time = "Enter the time like 2pm or 14:30";
  return out;
}

const FIELD_NAMES: Record<string, string> = { title: "The title", location: "The place" };

/** The API's length messages in GOV.UK words ("String should have at most 200 characters"). */
export function plainMessages(messages: FieldMessages): FieldMessages {
  const out: FieldMessages = {};
  for (const [key, msg] of Object.entries(messages)) {
    const max = /^String should have at most (\d+) characters?$/.exec(msg);
    out[key] = max && FIELD_NAMES[key] ? `${FIELD_NAMES[key]} must be ${max[1]} characters or fewer` : msg;
  }
  return out;
}

export function NewMeetingPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const kind = kindOf(params.get("kind"), "crg");
  const names = KIND_NAMES[kind];
  const [title, setTitle] = useState("");
  const [date, setDate] = useState("");
  const [time, setTime] = useState("");
  const [location, setLocation] = useState("");
  const [members, setMembers] = useState<string[]>([]);
  const [messages, setMessages] = useState<FieldMessages>({});
  const hasErrors = Object.keys(messages).length > 0;
  useTitle(`Schedule a ${names.meeting}`, hasErrors);

  const choices = useQuery({
    queryKey: ["meetings", "member-choices", kind],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meetings/member-choices", { params: { query: { kind } } })),
  });

  const create = useMutation({
    mutationFn: async (when: string) =>
      unwrap(await api.POST("/api/v1/meetings", {
        body: {
          kind, scheduled_for: when, title: title.trim() || null, location: location.trim() || null,
          member_ids: members.map(Number),
        },
      })),
    onSuccess: (meeting) => {
      client.invalidateQueries({ queryKey: ["meetings"] });
      client.invalidateQueries({ queryKey: ["my-work"] });
      navigate(`/meetings/${meeting.id}`, { state: { created: true } });
    },
    onError: (error) => {
      const byField = plainMessages(fieldMessages(error));
      setMessages(Object.keys(byField).length ? byField : { _: errorText(error) });
    },
  });

  if (choices.isError) {
    if (choices.error instanceof ApiError && choices.error.status === 403) return <CannotSchedule kind={kind} />;
    return <QueryFailed error={choices.error} />;
  }
  if (choices.isPending) return <Loading />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems = checkWhen(date, time);
    setMessages(problems);
    if (Object.keys(problems).length) return;
    const when = scheduledFor(date, time);
    if (when) create.mutate(when);
  };

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary items={summaryItems(messages, ORDER)} />
        <h1 className="govuk-heading-l">Schedule a {names.meeting}</h1>
        <form onSubmit={submit} noValidate>
          <TextInput name="title" label="Title (optional)" hint={`For example, December ${names.group}`}
            value={title} onChange={setTitle} error={messages.title} />
          <DateInput name="scheduled_for" label="Date" value={date} onChange={setDate}
            hint="For example, 14 12 2026" error={messages.scheduled_for} />
          <TextInput name="scheduled_time" label="Time" hint="UK time, for example 2pm or 14:30" width={5}
            value={time} onChange={setTime} error={messages.scheduled_time} />
          <TextInput name="location" label="Place (optional)" hint="A room and building, or how to join online"
            value={location} onChange={setLocation} error={messages.location} />
          {choices.data.items.length ? (
            <Checkboxes name="member_ids" label="Members" hint={kind === "crg" ? "The members of the group who are invited" : "The panel members and chair who are invited"}
              values={members} onChange={setMembers} error={messages.member_ids}
              choices={choices.data.items.map((u) => ({
                value: String(u.id),
                label: `${u.name} (${u.roles.map((r) => ROLE_NAMES[r] ?? r).join(", ")})`,
              }))} />
          ) : (
            <div className="govuk-inset-text">No one holds a {names.group} role yet: ask an administrator to give members their roles.</div>
          )}
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={create.isPending}>Schedule meeting</button>
            <Link className="govuk-link" to={kind === "crg" ? "/meetings" : "/meetings?kind=cdop_panel"}>Cancel</Link>
          </div>
        </form>
      </div>
    </div>
  );
}

function CannotSchedule({ kind }: { kind: MeetingKind }) {
  useTitle("You cannot schedule meetings");
  return (
    <>
      <h1 className="govuk-heading-l">You cannot schedule meetings</h1>
      <p className="govuk-body">Your roles do not allow you to schedule {KIND_NAMES[kind].group} meetings.</p>
      <p className="govuk-body"><Link className="govuk-link" to="/meetings">Go back to the meetings</Link></p>
    </>
  );
}
