// Builds an apiextensions.k8s.io/v1 CustomResourceDefinition from a root API type: an interface
// that carries the kind-level markers (@group, @version, @plural, @scope, …).
import type { InterfaceDeclaration } from "ts-morph";
import { markerValue } from "./jsdoc.ts";
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  PrinterColumn,
} from "../../pkg/apis/apiextensions.ts";
import { jsDocOf, schemaForInterface, SchemaError } from "./schema.ts";

export type { CustomResourceDefinition };

/** True when the interface is a root kind (has a @group marker). */
export function isRootKind(decl: InterfaceDeclaration): boolean {
  return jsDocOf(decl).tags.some((t) => t.name === "group");
}

export function buildCrd(decl: InterfaceDeclaration): CustomResourceDefinition {
  const kind = decl.getName();
  const doc = jsDocOf(decl);
  const tag = (name: string): string | undefined => {
    const found = doc.tags.find((t) => t.name === name);
    return found ? markerValue(found.value) : undefined;
  };
  const all = (name: string): string[] => doc.tags.filter((t) => t.name === name).map((t) => t.value);
  const required = (name: string): string => {
    const value = tag(name);
    if (!value) throw new SchemaError(`${kind}: missing @${name}`);
    return value;
  };

  const group = required("group");
  const plural = required("plural");
  const scope = required("scope");
  if (scope !== "Cluster" && scope !== "Namespaced") throw new SchemaError(`${kind}: bad @scope ${scope}`);

  const root = schemaForInterface(decl, kind);
  const properties = root.properties ?? {};
  properties.apiVersion = {
    description:
      "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
    type: "string",
  };
  properties.kind = {
    description:
      "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.",
    type: "string",
  };
  // Only `spec` is required at the top level; apiVersion, kind and metadata are the server's.
  root.required = (root.required ?? []).filter((r) => !["apiVersion", "kind", "metadata"].includes(r));
  if (root.required.length === 0) delete root.required;

  const annotations = Object.fromEntries(
    all("annotation").map((a) => {
      const eq = a.indexOf("=");
      if (eq < 0) throw new SchemaError(`${kind}: @annotation needs key=value`);
      return [a.slice(0, eq), a.slice(eq + 1)];
    }),
  );
  const shortNames = all("shortName");
  const printerColumns = all("printcolumn").map((c) => JSON.parse(c) as PrinterColumn);

  const version: CustomResourceDefinitionVersion = {
    name: required("version"),
    served: true,
    storage: true,
    schema: { openAPIV3Schema: root },
  };
  if (tag("subresource") === "status" || all("subresource").includes("status")) {
    version.subresources = { status: {} };
  }
  if (printerColumns.length > 0) version.additionalPrinterColumns = printerColumns;

  const crd: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [version],
    },
  };
  if (Object.keys(annotations).length > 0) crd.metadata.annotations = annotations;
  if (shortNames.length > 0) crd.spec.names.shortNames = shortNames;
  return crd;
}
