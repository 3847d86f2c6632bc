// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function MeetingsListPage() {
  useTitle("MeetingsListPage");
  return <h1 className="govuk-heading-l">MeetingsListPage</h1>;
}
