// See jest-global-setup.mjs.
export { default } from "./jest-global-teardown.ts";
