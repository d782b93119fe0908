import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const isVitest = Boolean(process.env.VITEST);

export default defineConfig({
  server: {
    port: Number(process.env.PORT || 3000),
    host: "127.0.0.1",
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    ...(isVitest
      ? []
      : [
          remix({
            ignoredRouteFiles: ["**/.*", "**/*.test.*"],
            future: {
              v3_fetcherPersist: true,
              v3_relativeSplatPath: true,
              v3_throwAbortReason: true,
              v3_lazyRouteDiscovery: true,
              v3_singleFetch: true,
              v3_routeConfig: false,
            },
          }),
        ]),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: {
    include: [
      "@shopify/app-bridge-react",
      "@shopify/polaris",
      "@shopify/polaris-viz",
      "@shopify/shopify-app-remix/react",
      "react-intl",
    ],
  },
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    setupFiles: ["tests/support/app-env.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
} as UserConfig);
