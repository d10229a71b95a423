// This project's suites use the same global set-up a user's run does (redlock-conformance/vitest/global-setup).
export { default } from "../fixtures/vitest/global-setup.ts";
