import { describe, expect, it } from "@jest/globals";
import { yamlV2CanUsePlain } from "./resolve.ts";

describe("yamlV2CanUsePlain (yaml.v2 resolve + base-60 check)", () => {
  it.each([
    // would read back as something other than a string
    "",
    "~",
    "null",
    "y",
    "Yes",
    "on",
    "OFF",
    "true",
    "123",
    "-1",
    "+1",
    "0x1F",
    "0o17",
    "017",
    "08",
    "0b101",
    "0b-1",
    "-0b11",
    "1_000",
    "1.5",
    "1e5",
    ".5",
    ".5_5",
    ".inf",
    "-.INF",
    ".NaN",
    "99999999999999999999",
    "1:20",
    "-1:30.5",
    "2024-01-31",
    "2024-1-2T3:4:5Z",
    "2024-1-2t3:4:5.5+01:00",
    "2024-1-2 3:4:5",
    "2024-1-2   3:4:5,123",
    "0000-02-29",
  ])("%j must be quoted", (s) => {
    expect(yamlV2CanUsePlain(s)).toBe(false);
  });

  it.each([
    "example.com",
    "quay.io/ns/repo",
    "10.0.0.1:5000",
    "1.2.3",
    "1e400",
    ".5e400",
    "._5",
    "0x",
    "0xFFFFFFFFFFFFFFFFFF",
    "2023-02-29",
    "2024-13-01",
    "2024-01-01.example.com",
    "1:60",
    "<<",
    "yes please",
    "*.example.com",
  ])("%j may stay plain as far as its type goes", (s) => {
    expect(yamlV2CanUsePlain(s)).toBe(true);
  });
});
