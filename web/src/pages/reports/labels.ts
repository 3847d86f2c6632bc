// Words for the codes in the report figures (the API gives codes; DOMAIN.md gives their meaning).
export const OUTCOME_LABELS: Record<string, string> = {
  scr: "Serious Case Review",
  management_review: "Management review",
  single_agency_review: "Single agency review",
  learning_event: "Learning event",
  other_la_review: "Review by another local authority",
  lcspr: "Local child safeguarding practice review",
  national_review: "National review",
  nfa: "No further action",
  pending: "No decision yet",
  withdrawn: "Withdrawn",
};
export const SOURCE_LABELS: Record<string, string> = {
  public: "Public notification form",
  staff: "Entered by staff",
  cdop_referral: "Referred by the Child Death Overview Panel",
};
export const INCIDENT_LABELS: Record<string, string> = { death: "Death", serious_harm: "Serious harm", other: "Other" };
export const SCR_LABELS: Record<string, string> = {
  recommended: "Recommended by the Case Review Group",
  endorsed: "Endorsed by the Independent Chair",
  declined: "Declined by the Independent Chair",
};
export const PUBLICATION_LABELS: Record<string, string> = {
  published: "Published",
  not_published: "Not published",
  publication_deferred: "Publication deferred",
};
export const DEADLINE_LABELS: Record<string, string> = {
  screening: "Screening to the group’s recommendation",
  decision: "Decision by the Independent Chair",
  scr_completion: "Serious Case Review completed",
  national_panel_notice: "National panel told of a decision not to hold an SCR",
  national_panel_not_published: "National panel told of a decision not to publish",
  pre_publication: "Report to the national panel before publication",
  publication_review: "Review of a published report",
  // the CSPR regime (API.md v1.1)
  serious_incident_notification: "Serious incident notified to the national panel",
  rapid_review: "Rapid review sent to the national panel",
  lcspr_publication: "Local review (LCSPR) published",
  final_report: "Final report sent before publication",
  panel_told_not_published: "National panel told of a decision not to publish (CSPR)",
};
export const TIMELINESS_MEASURES: { key: string; label: string }[] = [
  { key: "met_on_time", label: "Met on time" },
  { key: "met_late", label: "Met late" },
  { key: "missed", label: "Missed" },
  { key: "waived", label: "Waived" },
  { key: "open_overdue", label: "Open and overdue" },
  { key: "open_not_yet_due", label: "Open, not yet due" },
];
export const AGE_BAND_LABELS: Record<string, string> = {
  under_28_days: "Under 28 days",
  "28_364_days": "28 to 364 days",
  "1_4_years": "1 to 4 years",
  "5_9_years": "5 to 9 years",
  "10_14_years": "10 to 14 years",
  "15_17_years": "15 to 17 years",
};
export const EXPECTED_LABELS: Record<string, string> = { expected: "Expected", unexpected: "Unexpected" };
export const PLACE_LABELS: Record<string, string> = {
  hospital: "Hospital",
  home: "Home",
  hospice: "Hospice",
  other_residence: "Another residence",
  public_place: "Public place",
  abroad: "Abroad",
  other: "Other",
};
export const HOLD_LABELS: Record<string, string> = {
  inquest: "Inquest",
  criminal_proceedings: "Criminal proceedings",
  case_review: "Case review",
  other: "Other",
};
