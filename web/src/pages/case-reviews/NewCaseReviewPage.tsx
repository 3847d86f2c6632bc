// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function NewCaseReviewPage() {
  useTitle("NewCaseReviewPage");
  return <h1 className="govuk-heading-l">NewCaseReviewPage</h1>;
}
