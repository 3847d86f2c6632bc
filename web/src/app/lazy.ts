// Pages loaded when first visited: the first load carries the frame, sign-in and My work only
// (issue 17: first-load JavaScript within 200 KB gzipped), each area comes in its own file.
import type { ComponentType } from "react";
import type { RouteObject } from "react-router";

export function lazyPage<M>(path: string, load: () => Promise<M>, name: keyof M): RouteObject {
  return {
    path,
    lazy: async () => ({ Component: (await load())[name] as ComponentType }),
  };
}
