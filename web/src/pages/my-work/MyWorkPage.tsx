// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function MyWorkPage() {
  useTitle("MyWorkPage");
  return <h1 className="govuk-heading-l">MyWorkPage</h1>;
}
