// Verdicts as text, for people: one line per image with the verdict, then indented reasons (the policy
// section that applied, each requirement's outcome and, for signatures, why each was or was not
// accepted), then hints.

import { describeSection, type ImageVerdict } from "./types.ts";

export function formatVerdictText(verdict: ImageVerdict): string[] {
  const lines: string[] = [];
  const where = verdict.reference ?? verdict.image;
  lines.push(`${verdict.admitted ? "admitted" : "rejected"}: ${where}`);
  if (verdict.policySource !== undefined) {
    lines.push(
      `  policy: ${verdict.policySource}${verdict.section !== undefined ? `, ${describeSection(verdict.section)}` : ""}`,
    );
  }
  if (verdict.source !== undefined) {
    const s = verdict.source;
    const instance =
      s.instanceDigest !== s.digest
        ? ` (platform instance ${s.instanceDigest} of index ${s.digest})`
        : ` (${s.digest})`;
    lines.push(`  read from: ${s.repository}${s.mirror ? " [mirror]" : ""}${instance}`);
  }
  for (const r of verdict.requirements) {
    const head = `  requirement ${r.index + 1} ${r.type}: ${r.outcome}`;
    lines.push(r.message !== undefined && r.outcome === "rejected" ? `${head}: ${r.message}` : head);
    for (const s of r.signatures ?? []) {
      lines.push(`    ${s.accepted ? "✓" : "✗"} ${s.source}: ${s.detail}`);
    }
  }
  if (
    !verdict.admitted &&
    verdict.error !== undefined &&
    verdict.requirements.every((r) => r.outcome !== "rejected")
  ) {
    lines.push(`  error: ${verdict.error}`);
  }
  for (const hint of verdict.hints) lines.push(`  hint (${hint.code}): ${hint.message}`);
  return lines;
}
