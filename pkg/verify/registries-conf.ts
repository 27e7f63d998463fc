// containers-registries.conf(5) for verify: where a pull goes. The file is loaded exactly as the
// render checks the registries.conf it delivers (pkg/containers/registries-conf.ts: the smol-toml
// parser, then sysregistriesv2's checks), so `verify --registries-conf` and `verify -f`/`--cluster`
// (which use the rendered file) decide as the node does. Drop-in directories (registries.conf.d) and
// unqualified-search registries are not read: verify takes fully qualified references.

import type { DockerReference } from "../containers/reference.ts";
import {
  findRegistry,
  loadRegistriesConf,
  pullSourcesFromReference,
  RegistriesConfError,
  type RegistriesConf,
} from "../containers/registries-conf.ts";

export { RegistriesConfError, type RegistriesConf };

/** Parses registries.conf text (v2 format) as containers/image loads one file. */
export function parseRegistriesConf(text: string): RegistriesConf {
  return loadRegistriesConf(text);
}

export interface PullSource {
  reference: DockerReference;
  insecure: boolean;
  mirror: boolean;
}

/**
 * The pull sources of a reference: the usable mirrors of the entry with the longest matching prefix,
 * then the registry itself; a blocked entry refuses the pull, as docker_image_src does.
 */
export function pullSources(conf: RegistriesConf | undefined, ref: DockerReference): PullSource[] {
  const entry = conf === undefined ? undefined : findRegistry(conf, `${ref.domain}/${ref.path}`);
  if (entry === undefined) return [{ reference: ref, insecure: false, mirror: false }];
  if (entry.blocked) {
    throw new RegistriesConfError(`registry ${ref.domain} is blocked in registries.conf`);
  }
  return pullSourcesFromReference(entry, ref).map(({ reference, endpoint, mirror }) => ({
    reference,
    insecure: endpoint.insecure,
    mirror,
  }));
}
