// Two projects: `unit` (tests beside the code, pure and fast) and `integration` (test/, real
// kube-apiserver, etcd, registry and containers/image). ts-jest only transpiles; `make typecheck`
// catches type errors.
const common = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  // ts-jest honours rewriteRelativeImportExtensions, so "./x.ts" arrives here as "./x.js".
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json" }] },
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: "unit",
      roots: ["<rootDir>/pkg", "<rootDir>/controllers", "<rootDir>/hack"],
      testMatch: ["**/*.test.ts"],
    },
    {
      ...common,
      displayName: "integration",
      roots: ["<rootDir>/test"],
      testMatch: ["**/*.test.ts"],
      // One kube-apiserver + etcd for the whole run, with crds/ installed; tests get it from
      // test/harness/env.ts. IPC_SKIP_CONTROLPLANE=1 skips it.
      globalSetup: "<rootDir>/test/harness/jest-global-setup.mjs",
      globalTeardown: "<rootDir>/test/harness/jest-global-teardown.mjs",
    },
  ],
};
