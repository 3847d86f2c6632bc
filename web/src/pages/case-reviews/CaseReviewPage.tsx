// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function CaseReviewPage() {
  useTitle("CaseReviewPage");
  return <h1 className="govuk-heading-l">CaseReviewPage</h1>;
}
