import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The service serves the build at /app/ (src/core/web/spa.py): hashed assets under /app/assets/
// are cached for a year, index.html never. No inline script or style is emitted, so the strict
// Content-Security-Policy of /app (script-src 'self'; style-src 'self') holds.
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0, // no data: URLs for scripts; images stay files
    sourcemap: false,
    reportCompressedSize: true,
  },
  css: {
    // govuk-frontend keeps an old IE hack ("min-width: 0\\0") that lightningcss rejects: drop that rule
    lightningcss: { errorRecovery: true },
    preprocessorOptions: {
      scss: { loadPaths: ["."], quietDeps: true, silenceDeprecations: ["import"] },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    setupFiles: ["tests/setup.ts"],
  },
});
