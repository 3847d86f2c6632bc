// The end of an agency author's form: the warning that it is submitted once, then the buttons to
// submit it or save a draft (My forms: reporting forms and case review agency reports).
export function SubmitOnce({ what, submitting, saving, onSaveDraft }: {
  what: "form" | "report"; submitting: boolean; saving: boolean; onSaveDraft: () => void;
}) {
  return (
    <>
      <div className="govuk-warning-text">
        <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong className="govuk-warning-text__text">
          <span className="govuk-visually-hidden">Warning</span>
          You can submit this {what} once. You cannot change your answers after you submit them.
        </strong>
      </div>
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={submitting}>Submit {what}</button>
        <button type="button" className="govuk-button govuk-button--secondary" disabled={saving}
          onClick={onSaveDraft}>Save as draft</button>
      </div>
    </>
  );
}
