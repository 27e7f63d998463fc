// The Kubernetes CEL environment for CRD validation rules, on top of @bufbuild/cel: the standard
// library plus the Kubernetes extension functions that our (and upstream's) rules use. Each
// function follows k8s.io/apiserver/pkg/cel/library.
import { dns1123SubdomainErrors } from "../apis/names.ts";
import {
  celEnv,
  celFunc,
  celList,
  celMethod,
  CelScalar,
  listType,
  plan,
  parse,
  type CelInput,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { RE2JS } from "@bufbuild/re2";

/** isURL(string): a valid absolute URI, like Go's url.ParseRequestURI plus a non-empty scheme. */
export function isKubernetesURL(value: string): boolean {
  // k8s: `url.ParseRequestURI(s)` succeeds. That accepts absolute URIs ("scheme:…") and absolute
  // paths ("/x"); it rejects relative references and fragments-only strings.
  if (value.startsWith("/")) return !/\s/.test(value);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  if (!scheme) return false;
  if ([...value].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const compiledPatterns = new Map<string, RE2JS>();

/**
 * RE2JS.compile, once per pattern: the rules match the same few literal patterns against every
 * object, and compiling one costs far more than matching it (compiling at every match was about
 * half the time of validating a folder of policies). Bounded, since a rule could in principle take
 * its pattern from the object.
 */
export function compileRe2(pattern: string): RE2JS {
  let re = compiledPatterns.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern); // throws RE2's error for what RE2 rejects; nothing is cached then
    if (compiledPatterns.size >= 256) compiledPatterns.clear();
    compiledPatterns.set(pattern, re);
  }
  return re;
}

/** Non-overlapping matches of an RE2 pattern, as k8s's `findAll` returns them. */
export function findAllMatches(value: string, pattern: string, limit = -1): string[] {
  compileRe2(pattern); // rejects what RE2 rejects, with RE2's error
  const matches: string[] = [];
  // RE2 and JavaScript agree on the patterns Kubernetes rules use with findAll (literals and simple
  // classes); RE2JS offers no match enumeration, so the enumeration is JavaScript's.
  const re = new RegExp(pattern, "gu");
  for (const m of value.matchAll(re)) {
    if (limit >= 0 && matches.length >= limit) break;
    matches.push(m[0]);
  }
  return matches;
}

// `format.dns1123Subdomain().validate(s)` returns optional<list<string>> in Kubernetes. @bufbuild/cel
// has no optional type, so a format is represented by its name and `validate` returns the list of
// errors; `hasValue()` on that list is true when it is non-empty — the same truth value.
const FORMAT_VALIDATORS: Record<string, (s: string) => string[]> = {
  dns1123Subdomain: dns1123SubdomainErrors,
};

const kubernetesFunctions = [
  celFunc("isURL", [CelScalar.STRING], CelScalar.BOOL, (s) => isKubernetesURL(s)),
  celMethod("findAll", CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (pattern) {
    return celList(findAllMatches(this, pattern));
  }),
  celMethod(
    "findAll",
    CelScalar.STRING,
    [CelScalar.STRING, CelScalar.INT],
    listType(CelScalar.STRING),
    function (pattern, limit) {
      return celList(findAllMatches(this, pattern, Number(limit)));
    },
  ),
  celMethod("find", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
    return findAllMatches(this, pattern, 1)[0] ?? "";
  }),
  ...Object.keys(FORMAT_VALIDATORS).map((name) =>
    celFunc(`format.${name}`, [], CelScalar.STRING, () => `format:${name}`),
  ),
  celMethod("validate", CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (value) {
    const validator = FORMAT_VALIDATORS[this.replace(/^format:/, "")];
    if (!validator) throw new Error(`unknown format ${this}`);
    return celList(validator(value));
  }),
  celMethod("hasValue", listType(CelScalar.STRING), [], CelScalar.BOOL, function () {
    return this.size > 0;
  }),
];

// `matches` is the standard library's, with the compiled patterns reused.
const env = celEnv({ funcs: [...strings, ...kubernetesFunctions], re2: { compile: compileRe2 } });

export type CompiledRule = (self: CelInput, oldSelf?: CelInput) => unknown;

const compiled = new Map<string, CompiledRule>();

/** Compiles (once) and returns an evaluator for a validation rule. */
export function compileRule(rule: string): CompiledRule {
  let fn = compiled.get(rule);
  if (!fn) {
    const program = plan(env, parse(rule));
    fn = (self, oldSelf) => program(oldSelf === undefined ? { self } : { self, oldSelf });
    compiled.set(rule, fn);
  }
  return fn;
}

export function ruleUsesOldSelf(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}
