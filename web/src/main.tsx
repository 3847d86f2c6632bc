import "./styles.scss";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";

import { makeRouter, queryClient } from "./app/routes";

// GOV.UK Frontend's styles for "JavaScript is on" (set here, not inline: the CSP allows no inline script)
document.body.classList.add("js-enabled", "govuk-frontend-supported");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={makeRouter()} />
    </QueryClientProvider>
  </StrictMode>,
);
