// Placeholder: built in the staff app part 1.
import { useTitle } from "../../components/Page";

export function CaseReviewsListPage() {
  useTitle("CaseReviewsListPage");
  return <h1 className="govuk-heading-l">CaseReviewsListPage</h1>;
}
