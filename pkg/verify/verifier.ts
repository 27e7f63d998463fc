// The verifier: one image reference in, one verdict out, following the order of a CRI-O pull
// (containers/image copy.Image → IsRunningImageAllowed): open the image through its pull sources,
// choose the platform instance, find the policy section for the *logical* reference, then evaluate
// its requirements in order until one denies. Signatures are fetched lazily, once per image instance
// and source for the lifetime of the Verifier (content-addressed, so a cache cannot go stale);
// trust roots are prepared once per requirement; manifests fetched by digest are cached too. Images of
// a batch are evaluated with bounded concurrency. No input, however malformed, makes it throw: every
// failure becomes a rejected verdict with a reason.

import { readFile } from "node:fs/promises";
import type { PolicyRequirement, PRSignedBy, PRSigstoreSigned } from "../containers/policy.ts";
import {
  isNameOnly,
  parseDockerReference,
  referenceString,
  type DockerReference,
} from "../containers/reference.ts";
import { requirementsForImage } from "../containers/scope.ts";
import {
  RegistryClient,
  type ChooseInstanceOptions,
  type FetchedManifest,
  type RegistryClientOptions,
} from "../registry/index.ts";
import { HttpTransport } from "../registry/transport.ts";
import { evaluateSignedByRequirement, prepareGpgKeyring, type PreparedKeyring } from "./gpg.ts";
import { hintsForRejection } from "./hints.ts";
import { ImageSourceError, cachingManifestFetcher, openImage, type OpenedImage } from "./image-source.ts";
import { readFileBytes, TrustRootError, type FileReader } from "./keys.ts";
import {
  PolicyInputError,
  loadPolicy,
  policyForNamespace,
  type LoadedPolicy,
  type NamespacePolicies,
  type PolicyInput,
} from "./policy-input.ts";
import {
  EMPTY_REGISTRIES_D,
  RegistriesDError,
  builtinLookaside,
  loadRegistriesDDirectory,
  parseRegistriesDFiles,
  type RegistriesD,
} from "./registries-d.ts";
import {
  RegistriesConfError,
  parseRegistriesConf,
  pullSources,
  type RegistriesConf,
} from "./registries-conf.ts";
import { SignatureMemory, type SignatureHolder } from "./signature-memory.ts";
import { SignatureFetchError, fetchSignatures, type FetchedSignatures } from "./signature-source.ts";
import {
  evaluateSigstoreRequirement,
  prepareSigstoreTrustRoot,
  type ImageUnderTest,
  type PreparedTrustRoot,
} from "./sigstore.ts";
import type { ImageVerdict, RequirementResult } from "./types.ts";

export interface VerifierOptions {
  /** registries.d: a directory, file texts (name → YAML), or an already loaded configuration. */
  registriesD?: string | Readonly<Record<string, string>> | RegistriesD;
  /** registries.conf (mirrors, blocked and insecure registries): a file path, or a parsed configuration. */
  registriesConf?: string | RegistriesConf;
  /** Namespace policies that replace the cluster policy for pulls in their namespace (CRI-O). */
  namespacePolicies?: NamespacePolicies;
  /** Registries reached without TLS verification or over plain HTTP (host[:port]). */
  insecureRegistries?: readonly string[];
  /** Options of the registry client (credentials, certificates, …); ignored when `client` is given. */
  clientOptions?: RegistryClientOptions;
  /** A registry client to use (and not close). */
  client?: RegistryClient;
  /** The platform whose instance is verified for multi-platform images; default: this machine's. */
  platform?: ChooseInstanceOptions;
  /** "Now" for PKI certificate validity; default: the clock at each evaluation. */
  now?: () => Date;
  /** Images evaluated at once in verifyAll. Default 8. */
  concurrency?: number;
  /** Time limit of each registry or lookaside request, ms. Default 30 000. */
  timeoutMs?: number;
  /** The lookaside used when registries.d names none. Default: the node's built-in directory. */
  builtinLookaside?: string;
  /** How key and CA files named by policies are read. */
  readFile?: FileReader;
  /** Look for the cause of "no signature exists" (extra HEAD requests). Default true. */
  hints?: boolean;
  /**
   * Bytes of signature bodies held at once for all images being verified (default 64 MiB; images
   * wait for room). One image may hold at most 16 MiB, or this, when smaller.
   */
  signatureMemoryBytes?: number;
}

/** The signatures of one image instance and source, shared by the verifications that need them. */
interface SignatureEntry {
  fetched: Promise<FetchedSignatures>;
  memory: SignatureHolder;
  /** Verifications in flight that use it; at zero, its memory is parked (evictable). */
  users: number;
}

export interface VerifyRequest {
  image: string;
  /** The pod's namespace; selects `<dir>/<namespace>.json` when it exists. */
  namespace?: string;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Verifies images against one cluster policy (and namespace policies), with shared caches. */
export class Verifier {
  readonly #cluster: LoadedPolicy;
  readonly #options: VerifierOptions;
  readonly #client: RegistryClient;
  readonly #ownsClient: boolean;
  readonly #transport: HttpTransport;
  readonly #manifestCache = new Map<string, Promise<FetchedManifest>>();
  readonly #signatureCache = new Map<string, SignatureEntry>();
  readonly #signatureMemory: SignatureMemory;
  readonly #trustRoots = new Map<string, Promise<PreparedTrustRoot>>();
  readonly #keyrings = new Map<string, Promise<PreparedKeyring>>();
  #registriesD: Promise<RegistriesD> | undefined;
  #registriesConf: Promise<RegistriesConf | undefined> | undefined;

  /** Throws PolicyInputError when the policy text does not parse. */
  constructor(policy: PolicyInput, options: VerifierOptions = {}, policySource = "policy.json") {
    this.#cluster = loadPolicy(policy, policySource);
    this.#options = options;
    this.#signatureMemory = new SignatureMemory(options.signatureMemoryBytes);
    const insecure = [...(options.insecureRegistries ?? [])];
    if (options.client !== undefined) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = new RegistryClient({
        requestTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...options.clientOptions,
        insecureRegistries: [...(options.clientOptions?.insecureRegistries ?? []), ...insecure],
      });
      this.#ownsClient = true;
    }
    this.#transport = new HttpTransport(options.clientOptions ?? {});
  }

  /** Verifies one image. Never throws for bad input: failures are rejected verdicts. */
  async verify(request: VerifyRequest | string): Promise<ImageVerdict> {
    const { image, namespace } =
      typeof request === "string" ? { image: request, namespace: undefined } : request;
    try {
      return await this.#evaluate(image, namespace);
    } catch (error) {
      if (
        error instanceof PolicyInputError ||
        error instanceof RegistriesConfError ||
        error instanceof RegistriesDError
      ) {
        return {
          image,
          admitted: false,
          inputError: true,
          requirements: [],
          error: error.message,
          hints: [],
        };
      }
      // Anything else is a bug; still a verdict, so one image cannot take a batch down.
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { image, admitted: false, requirements: [], error: `internal error: ${text}`, hints: [] };
    }
  }

  /** Verifies many images, `concurrency` at a time, in input order. */
  async verifyAll(requests: readonly (VerifyRequest | string)[]): Promise<ImageVerdict[]> {
    const results: ImageVerdict[] = new Array<ImageVerdict>(requests.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const i = next++;
        results[i] = await this.verify(requests[i] as VerifyRequest | string);
      }
    };
    const workers = Math.max(1, Math.min(this.#options.concurrency ?? DEFAULT_CONCURRENCY, requests.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  /**
   * Problems in the configuration a node would silently accept (unknown registries.d keys such as a
   * misspelt use-sigstore-attachments); empty when the configuration cannot be read at all.
   */
  async configurationWarnings(): Promise<string[]> {
    try {
      return [...(await this.#loadRegistriesD()).warnings].map((w) => `registries.d: ${w}`);
    } catch {
      return [];
    }
  }

  /** Releases connections (of a client this verifier created). */
  close(): void {
    if (this.#ownsClient) this.#client.close();
    this.#transport.close();
  }

  #loadRegistriesD(): Promise<RegistriesD> {
    this.#registriesD ??= (async () => {
      const input = this.#options.registriesD;
      if (input === undefined) return EMPTY_REGISTRIES_D;
      if (typeof input === "string") return loadRegistriesDDirectory(input);
      if ("docker" in input && input.docker instanceof Map) return input as RegistriesD;
      return parseRegistriesDFiles(input as Record<string, string>);
    })();
    return this.#registriesD;
  }

  #loadRegistriesConf(): Promise<RegistriesConf | undefined> {
    this.#registriesConf ??= (async () => {
      const input = this.#options.registriesConf;
      if (input === undefined) return undefined;
      if (typeof input !== "string") return input;
      let text: string;
      try {
        text = await readFile(input, "utf8");
      } catch (error) {
        throw new RegistriesConfError(`reading ${input}: ${(error as Error).message}`);
      }
      try {
        return parseRegistriesConf(text);
      } catch (error) {
        if (error instanceof RegistriesConfError)
          throw new RegistriesConfError(`loading registries configuration ${input}: ${error.message}`);
        throw error;
      }
    })();
    return this.#registriesConf;
  }

  async #evaluate(image: string, namespace: string | undefined): Promise<ImageVerdict> {
    const verdict: ImageVerdict = { image, admitted: false, requirements: [], hints: [] };
    // skopeo's transport:reference form is accepted for the docker transport only.
    const parsed = parseDockerReference(
      image.startsWith("docker://") ? image.slice("docker://".length) : image,
    );
    if (!parsed.ok) {
      return {
        ...verdict,
        inputError: true,
        error: `invalid image reference ${JSON.stringify(image)}: ${parsed.message}`,
      };
    }
    if (parsed.reference.tag !== undefined && parsed.reference.digest !== undefined) {
      return {
        ...verdict,
        inputError: true,
        error: "Docker references with both a tag and digest are currently not supported",
      };
    }
    // docker.ParseReference: a bare name means ":latest".
    const logical: DockerReference = isNameOnly(parsed.reference)
      ? { ...parsed.reference, tag: "latest" }
      : parsed.reference;
    const transportName = `docker://${referenceString(logical)}`;
    verdict.reference = transportName;

    const policy = await policyForNamespace(this.#cluster, this.#options.namespacePolicies, namespace);
    verdict.policySource = policy.source;
    const section = requirementsForImage(policy.policy, "docker", logical);
    if (!section.ok) return { ...verdict, inputError: true, error: section.message };
    verdict.section = section.section;
    const requirements = section.requirements;
    verdict.requirements = requirements.map((r, index) => ({
      index,
      type: r.type,
      outcome: "not-evaluated",
    }));

    const registriesD = await this.#loadRegistriesD();
    const conf = await this.#loadRegistriesConf();
    let opened: OpenedImage;
    try {
      const sources = pullSources(conf, logical);
      opened = await openImage(
        sources,
        cachingManifestFetcher(this.#client, this.#manifestCache),
        this.#options.platform ?? {},
      );
    } catch (error) {
      if (error instanceof ImageSourceError || error instanceof RegistriesConfError) {
        return { ...verdict, error: `pulling ${transportName}: ${error.message}` };
      }
      throw error;
    }
    verdict.source = {
      repository: `${opened.physical.domain}/${opened.physical.path}`,
      mirror: opened.mirror,
      digest: opened.top.digest,
      instanceDigest: opened.instance.digest,
    };

    const underTest: ImageUnderTest = {
      intended: logical,
      manifest: opened.instance.bytes,
      now: this.#options.now?.() ?? new Date(),
    };
    let fetched: FetchedSignatures | undefined;
    let lease: { fetched: Promise<FetchedSignatures>; done: () => void } | undefined;
    const signatures = async (): Promise<FetchedSignatures> => {
      lease ??= this.#signatures(registriesD, opened.physical, opened.instance.digest);
      fetched ??= await lease.fetched;
      return fetched;
    };
    try {
      return await this.#evaluateRequirements(verdict, requirements, transportName, underTest, {
        signatures,
        fetched: () => fetched,
        registriesD,
        logical,
        opened,
      });
    } finally {
      // The image's verification is complete: its signature memory may be given to other images.
      lease?.done();
    }
  }

  async #evaluateRequirements(
    verdict: ImageVerdict,
    requirements: readonly PolicyRequirement[],
    transportName: string,
    underTest: ImageUnderTest,
    context: {
      signatures: () => Promise<FetchedSignatures>;
      fetched: () => FetchedSignatures | undefined;
      registriesD: RegistriesD;
      logical: DockerReference;
      opened: OpenedImage;
    },
  ): Promise<ImageVerdict> {
    const { signatures, registriesD, logical, opened } = context;

    if (requirements.length === 0) {
      return { ...verdict, error: "List of verification policy requirements must not be empty" };
    }
    for (const [index, requirement] of requirements.entries()) {
      const result = verdict.requirements[index] as RequirementResult;
      const outcome = await this.#evaluateRequirement(requirement, transportName, underTest, signatures);
      result.outcome = outcome.allowed ? "accepted" : "rejected";
      if (outcome.message !== undefined) result.message = outcome.message;
      if (outcome.signatures !== undefined) result.signatures = outcome.signatures;
      if (!outcome.allowed) {
        verdict.error = outcome.message ?? "rejected";
        if (this.#options.hints ?? true) {
          verdict.hints = await hintsForRejection({
            client: this.#client,
            registriesD,
            logical,
            opened,
            fetched: context.fetched(),
            requirement,
            message: verdict.error,
          });
        }
        return verdict;
      }
    }
    verdict.admitted = true;
    if (!requirements.some((r) => r.type === "signedBy" || r.type === "sigstoreSigned")) {
      verdict.hints.push({
        code: "no-signature-verification",
        message:
          "admitted without any signature check: the matching policy section only has insecureAcceptAnything",
      });
    }
    return verdict;
  }

  async #evaluateRequirement(
    requirement: PolicyRequirement,
    transportName: string,
    image: ImageUnderTest,
    signatures: () => Promise<FetchedSignatures>,
  ): Promise<{ allowed: boolean; message?: string; signatures?: RequirementResult["signatures"] }> {
    switch (requirement.type) {
      case "insecureAcceptAnything":
        return { allowed: true };
      case "reject":
        return { allowed: false, message: `Running image ${transportName} is rejected by policy.` };
      case "signedBaseLayer":
        return { allowed: false, message: "signedBaseLayer not implemented yet!" };
      case "signedBy":
      case "sigstoreSigned": {
        let fetched: FetchedSignatures;
        try {
          fetched = await signatures();
        } catch (error) {
          if (error instanceof SignatureFetchError) return { allowed: false, message: error.message };
          throw error;
        }
        if (requirement.type === "sigstoreSigned") {
          const trust = await this.#trustRoot(requirement);
          const r = evaluateSigstoreRequirement(trust, requirement, image, fetched.signatures);
          return {
            allowed: r.allowed,
            signatures: r.results,
            ...(r.message !== undefined ? { message: r.message } : {}),
          };
        }
        const keyring = await this.#keyring(requirement);
        const r = await evaluateSignedByRequirement(keyring, requirement, image, fetched.signatures);
        return {
          allowed: r.allowed,
          signatures: r.results,
          ...(r.message !== undefined ? { message: r.message } : {}),
        };
      }
    }
  }

  /**
   * The signatures of an image instance in a source repository, fetched once and shared by the
   * verifications in flight; call done() when the verification completes. Completed entries stay
   * cached (content-addressed, so never stale) until the signature memory needs their room.
   */
  #signatures(
    registriesD: RegistriesD,
    physical: DockerReference,
    digest: string,
  ): { fetched: Promise<FetchedSignatures>; done: () => void } {
    const key = `${physical.domain}/${physical.path}@${digest}`;
    let entry = this.#signatureCache.get(key);
    if (entry === undefined) {
      const memory = this.#signatureMemory.open();
      const fetched = fetchSignatures(
        {
          client: this.#client,
          transport: this.#transport,
          registriesD,
          builtinLookaside: this.#options.builtinLookaside ?? builtinLookaside(),
          timeoutMs: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          memory,
        },
        physical,
        digest,
      );
      const created: SignatureEntry = { fetched, memory, users: 0 };
      // Failures are not cached, and hold no memory.
      fetched.catch(() => {
        if (this.#signatureCache.get(key) === created) this.#signatureCache.delete(key);
        memory.close();
      });
      this.#signatureCache.set(key, created);
      entry = created;
    } else if (entry.users === 0) {
      entry.memory.unpark();
    }
    const used = entry;
    used.users++;
    let done = false;
    return {
      fetched: used.fetched,
      done: () => {
        if (done) return;
        done = true;
        used.users--;
        // Parked only once the fetch has settled: bytes still being read are never evicted.
        const park = (): void => {
          if (used.users > 0) return;
          used.memory.park(() => {
            if (this.#signatureCache.get(key) === used) this.#signatureCache.delete(key);
          });
        };
        used.fetched.then(park, park);
      },
    };
  }

  #trustRoot(requirement: PRSigstoreSigned): Promise<PreparedTrustRoot> {
    const key = JSON.stringify(requirement);
    let found = this.#trustRoots.get(key);
    if (found === undefined) {
      found = prepareSigstoreTrustRoot(requirement, this.#options.readFile ?? readFileBytes).then(
        (root): PreparedTrustRoot => ({ ok: true, root }),
        // TrustRootError for bad key material; anything else (a CA that does not parse) likewise
        // rejects every signature of this requirement rather than the whole run.
        (error: unknown): PreparedTrustRoot => ({
          ok: false,
          error: error instanceof Error ? error : new TrustRootError(String(error)),
        }),
      );
      this.#trustRoots.set(key, found);
    }
    return found;
  }

  #keyring(requirement: PRSignedBy): Promise<PreparedKeyring> {
    const key = JSON.stringify(requirement);
    let found = this.#keyrings.get(key);
    if (found === undefined) {
      found = prepareGpgKeyring(requirement, this.#options.readFile ?? readFileBytes);
      this.#keyrings.set(key, found);
    }
    return found;
  }
}

/**
 * Verifies one image against a policy (a parsed Policy, or policy.json text or bytes): the entry
 * point for build tools. Throws PolicyInputError only when the policy itself does not parse.
 */
export async function verifyImage(
  image: string | VerifyRequest,
  policy: PolicyInput,
  options: VerifierOptions = {},
): Promise<ImageVerdict> {
  const verifier = new Verifier(policy, options);
  try {
    return await verifier.verify(image);
  } finally {
    verifier.close();
  }
}
