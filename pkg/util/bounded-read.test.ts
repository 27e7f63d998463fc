import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBoundedFile } from "./bounded-read.ts";

describe("readBoundedFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "bounded-"));

  it("reads a regular file within the bound", async () => {
    writeFileSync(join(dir, "policy.json"), '{"default":[{"type":"reject"}]}');
    expect(Buffer.from(await readBoundedFile(join(dir, "policy.json"), 1024)).toString()).toBe(
      '{"default":[{"type":"reject"}]}',
    );
  });

  it("refuses a device, a directory and a file over the bound, without reading them", async () => {
    await expect(readBoundedFile("/dev/zero", 1024)).rejects.toThrow("not a regular file");
    await expect(readBoundedFile(dir, 1024)).rejects.toThrow("not a regular file");
    writeFileSync(join(dir, "big"), "x".repeat(2048));
    await expect(readBoundedFile(join(dir, "big"), 1024)).rejects.toThrow(
      "2048 bytes, more than the 1024 accepted",
    );
  });
});
