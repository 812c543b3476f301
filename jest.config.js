/** Type checking is done once by `npm run typecheck`; jest only transpiles (much faster start). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  testTimeout: 120000,
  setupFiles: ["<rootDir>/tests/setup-tfjs.ts"],
};
