// ESLint 9 flat config: the rules of Shopify's Remix app template (which extends Remix's own template config:
// eslint:recommended, react, react-hooks, jsx-a11y, @typescript-eslint and import), on maintained packages, with
// Prettier owning the layout (eslint-config-prettier last).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "node_modules/",
      "build/",
      ".cache/",
      "tests/artifacts/",
      "bench/tmp/",
      "prisma/data/",
      "tests/devstore/.scratch/",
      // Generated GraphQL types (@shopify/api-codegen-preset): written by the codegen, checked by its own test.
      "app/types/",
      "**/*.generated.d.ts",
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  tseslint.configs.recommended,
  importX.flatConfigs.recommended,
  importX.flatConfigs.typescript,
  {
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      // Code here runs in Node (server, CLIs, tests, benches) or in the browser (routes, board UI): both sets.
      globals: { ...globals.node, ...globals.browser },
    },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true })],
      "import-x/internal-regex": "^~/",
    },
    rules: {
      // TypeScript resolves every import already (`npm run typecheck`); Vite's `?url` suffixes are unknown to the resolver.
      "import-x/no-unresolved": "off",
      // `fc.integer()` is fast-check's documented style; TypeScript already checks that every member exists.
      "import-x/no-named-as-default-member": "off",
      // Unused names are errors, except those deliberately discarded with a leading underscore.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ["**/*.{jsx,tsx}"],
    ...react.configs.flat.recommended,
    ...jsxA11y.flatConfigs.recommended,
    plugins: { ...react.configs.flat.recommended.plugins, ...jsxA11y.flatConfigs.recommended.plugins },
    languageOptions: {
      ...react.configs.flat.recommended.languageOptions,
      globals: { ...globals.node, ...globals.browser },
    },
    settings: {
      react: { version: "detect" },
      formComponents: ["Form"],
      linkComponents: [
        { name: "Link", linkAttribute: "to" },
        { name: "NavLink", linkAttribute: "to" },
      ],
    },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat["jsx-runtime"].rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      // App Bridge's <SaveBar> reads `variant` from its child buttons (Shopify's documented markup).
      "react/no-unknown-property": ["error", { ignore: ["variant"] }],
    },
  },
  {
    files: ["**/*.{js,jsx,ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      // The template's react-hooks rules (the plugin's recommended set before it took in React Compiler's rules,
      // which this app, on React 18 without the compiler, does not run).
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
    },
  },
  {
    files: ["app/**"],
    ignores: ["app/cli/**"],
    rules: {
      // The app logs through app/logger.server.ts (pino, credentials censored); the CLIs' stdout is their output.
      "no-console": "error",
    },
  },
  {
    files: ["tests/devstore/**"],
    rules: {
      // The dev store executes any Admin document, and its tests read the JSON answers by shape, as graphql-js's own
      // resolver types do (`args: any`); typing each answer would restate the schema the dev store already enforces.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  prettier,
);
