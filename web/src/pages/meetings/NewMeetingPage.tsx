// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function NewMeetingPage() {
  useTitle("NewMeetingPage");
  return <h1 className="govuk-heading-l">NewMeetingPage</h1>;
}
