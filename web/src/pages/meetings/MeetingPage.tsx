// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function MeetingPage() {
  useTitle("MeetingPage");
  return <h1 className="govuk-heading-l">MeetingPage</h1>;
}
