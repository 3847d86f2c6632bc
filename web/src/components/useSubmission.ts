// A form's submission to the API, as every form of the app runs it: nothing while one is under way
// (a second press of the button is ignored), the previous error cleared when it starts, and what
// the work throws kept as the form's error (an ApiError with its fields, shown by ErrorSummary).
import { useCallback, useRef, useState } from "react";

export function useSubmission() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const run = useCallback(async (work: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { error, setError, busy, run };
}
