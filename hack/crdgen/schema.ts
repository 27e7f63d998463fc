// Turns TypeScript declarations (pkg/apis) into structural OpenAPI v3 schemas for CRDs, following
// controller-gen's conventions: markers on a named type apply wherever it is used (so an array of
// ImageScope gets ImageScope's rules on `items`), and markers on a field apply to that field.
import { Node, type JSDocableNode, type PropertySignature, type TypeNode } from "ts-morph";
import type { JsonSchemaProps } from "../../pkg/apis/apiextensions.ts";
import { markerValue, mergeJsDocs, parseJsDoc, type JsDoc, type JsDocTag } from "./jsdoc.ts";

export type { JsonSchemaProps };

export class SchemaError extends Error {}

/** JSDoc blocks attached to a declaration, parsed verbatim. */
export function jsDocOf(node: JSDocableNode): JsDoc {
  return mergeJsDocs(node.getJsDocs().map((d) => parseJsDoc(d.getText())));
}

/** Applies validation markers to a schema node (mutates it). */
export function applyMarkers(schema: JsonSchemaProps, tags: JsDocTag[], where: string): void {
  const rules: string[] = [];
  const messages: string[] = [];
  for (const { name, value: raw } of tags) {
    const value = markerValue(raw);
    switch (name) {
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
      case "minimum":
      case "maximum":
        schema[name] = toNumber(value, name, where);
        break;
      case "pattern":
      case "format":
      case "type":
        schema[name] = value;
        break;
      case "nullable":
        schema.nullable = true;
        break;
      case "default":
        schema.default = JSON.parse(value);
        break;
      case "listType":
        schema["x-kubernetes-list-type"] = value;
        break;
      case "listMapKey":
        schema["x-kubernetes-list-map-keys"] = [...(schema["x-kubernetes-list-map-keys"] ?? []), value];
        break;
      case "mapType":
        schema["x-kubernetes-map-type"] = value;
        break;
      case "preserveUnknownFields":
        schema["x-kubernetes-preserve-unknown-fields"] = true;
        break;
      case "xValidation.rule":
        rules.push(value);
        break;
      case "xValidation.message":
        messages.push(value);
        break;
      default:
        // Kind-level markers (group, version, …) are read by the CRD builder.
        break;
    }
  }
  if (rules.length !== messages.length) {
    throw new SchemaError(`${where}: every @xValidation.rule needs one @xValidation.message`);
  }
  if (rules.length > 0) {
    schema["x-kubernetes-validations"] = [
      ...(schema["x-kubernetes-validations"] ?? []),
      ...rules.map((rule, i) => ({ rule, message: messages[i] ?? "" })),
    ];
  }
}

function toNumber(value: string, name: string, where: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new SchemaError(`${where}: @${name} needs a number, got ${value}`);
  return n;
}

/** Builds the schema of a type as written at a use site (a property's type annotation). */
export function schemaForTypeNode(node: TypeNode, where: string): JsonSchemaProps {
  if (Node.isParenthesizedTypeNode(node)) return schemaForTypeNode(node.getTypeNode(), where);
  if (Node.isArrayTypeNode(node)) {
    return { type: "array", items: schemaForTypeNode(node.getElementTypeNode(), `${where}[]`) };
  }
  if (Node.isUnionTypeNode(node)) return schemaForUnion(node.getTypeNodes(), where);
  if (Node.isLiteralTypeNode(node)) return schemaForUnion([node], where);
  if (Node.isTypeLiteral(node)) return schemaForMembers(node.getProperties(), where);
  switch (node.getText()) {
    case "string":
      return { type: "string" };
    case "number":
      return { type: "integer", format: "int64" };
    case "boolean":
      return { type: "boolean" };
    case "unknown":
      return { "x-kubernetes-preserve-unknown-fields": true };
  }
  if (Node.isTypeReference(node)) return schemaForTypeReference(node, where);
  throw new SchemaError(`${where}: unsupported type ${node.getText()}`);
}

function schemaForUnion(members: TypeNode[], where: string): JsonSchemaProps {
  const values = members.map((m) => {
    const literal = Node.isLiteralTypeNode(m) ? m.getLiteral() : undefined;
    if (!literal || !Node.isStringLiteral(literal)) {
      throw new SchemaError(`${where}: only unions of string literals are supported, got ${m.getText()}`);
    }
    return literal.getLiteralValue();
  });
  return { type: "string", enum: values };
}

function schemaForTypeReference(node: import("ts-morph").TypeReferenceNode, where: string): JsonSchemaProps {
  const name = node.getTypeName().getText();
  const args = node.getTypeArguments();
  if (name === "Record" && args.length === 2 && args[1]) {
    const value = args[1];
    if (value.getText() === "unknown")
      return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    return { type: "object", additionalProperties: schemaForTypeNode(value, `${where}{}`) };
  }
  if (name === "Array" && args[0]) {
    return { type: "array", items: schemaForTypeNode(args[0], `${where}[]`) };
  }
  const declaration = resolveDeclaration(node);
  if (Node.isInterfaceDeclaration(declaration)) {
    return schemaForInterface(declaration, where);
  }
  if (Node.isTypeAliasDeclaration(declaration)) {
    const aliased = declaration.getTypeNodeOrThrow();
    const schema = schemaForTypeNode(aliased, `${where}<${name}>`);
    const doc = jsDocOf(declaration);
    applyMarkers(schema, doc.tags, `${where}<${name}>`);
    if (doc.description && !schema.description) schema.description = doc.description;
    return schema;
  }
  throw new SchemaError(`${where}: cannot resolve type ${name}`);
}

function resolveDeclaration(node: import("ts-morph").TypeReferenceNode): Node | undefined {
  let symbol = node.getTypeName().getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
  return symbol?.getDeclarations()[0];
}

/** The object schema of an interface, including the members of the interfaces it extends. */
export function schemaForInterface(
  decl: import("ts-morph").InterfaceDeclaration,
  where: string,
): JsonSchemaProps {
  const name = decl.getName();
  if (name === "ObjectMeta") return { type: "object" };
  const inherited = decl
    .getBaseDeclarations()
    .flatMap((base) => (Node.isInterfaceDeclaration(base) ? base.getProperties() : []));
  const schema = schemaForMembers([...inherited, ...decl.getProperties()], `${where}<${name}>`);
  const doc = jsDocOf(decl);
  applyMarkers(schema, doc.tags, `${where}<${name}>`);
  if (doc.description) schema.description = doc.description;
  return schema;
}

function schemaForMembers(members: PropertySignature[], where: string): JsonSchemaProps {
  const properties: Record<string, JsonSchemaProps> = {};
  const required: string[] = [];
  for (const member of members) {
    const name = member.getName();
    const at = `${where}.${name}`;
    const typeNode = member.getTypeNode();
    if (!typeNode) throw new SchemaError(`${at}: a property needs a type annotation`);
    const schema = schemaForTypeNode(typeNode, at);
    const doc = jsDocOf(member);
    applyMarkers(schema, doc.tags, at);
    if (doc.description) schema.description = doc.description;
    properties[name] = schema;
    if (!member.hasQuestionToken()) required.push(name);
  }
  const schema: JsonSchemaProps = { type: "object", properties };
  if (required.length > 0) schema.required = required;
  return schema;
}
