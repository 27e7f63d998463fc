// Jest require()s a .ts global setup through its transform, which cannot follow our ESM ".ts"
// imports; it import()s a .mjs, and Node strips the types of the .ts modules itself.
export { default } from "./jest-global-setup.ts";
