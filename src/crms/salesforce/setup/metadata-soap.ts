import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { CrmError } from '../../types.js';
import type { SalesforceTransport } from '../transport.js';

/** One SaveResult of createMetadata / updateMetadata. */
export interface SaveResult {
  fullName: string;
  success: boolean;
  statusCode: string | undefined;
  message: string | undefined;
}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

/** Calls the Metadata API and answers the operation's response element; a SOAP fault throws (park). */
export async function metadataCall(
  transport: SalesforceTransport,
  operation: string,
): Promise<Record<string, unknown>> {
  const answer = await transport.metadata(operation);
  const body = dig(parser.parse(answer), ['Envelope', 'Body']);
  const fault = dig(body, ['Fault']);
  if (fault) {
    throw new CrmError({
      kind: 'park',
      code: 'METADATA_FAULT',
      message: `Salesforce refused the setup: ${String(dig(fault, ['faultstring']) ?? 'no reason given')}`,
    });
  }
  const response = Object.values((body ?? {}) as Record<string, unknown>)[0];
  return (response ?? {}) as Record<string, unknown>;
}

/** The `result` elements of a response, always as a list. */
export function results(response: Record<string, unknown>): unknown[] {
  const result = response.result;
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}

export function saveResults(response: Record<string, unknown>): SaveResult[] {
  return results(response).map((result) => {
    const errors = dig(result, ['errors']);
    const first = Array.isArray(errors) ? errors[0] : errors;
    return {
      fullName: String(dig(result, ['fullName']) ?? ''),
      success: String(dig(result, ['success'])) === 'true',
      statusCode: stringAt(first, ['statusCode']),
      message: stringAt(first, ['message']),
    };
  });
}

export function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  const found = dig(value, path);
  return found === undefined ? undefined : String(found);
}

type Tree = { [key: string]: string | Tree };

/** `<metadata xsi:type="CustomField"><fullName>…</fullName>…</metadata>`, values escaped. */
export function component(type: string, fields: Tree): string {
  return `<metadata xsi:type="${type}">${elements(fields)}</metadata>`;
}

function elements(tree: Tree): string {
  return Object.entries(tree)
    .map(
      ([name, value]) =>
        `<${name}>${typeof value === 'string' ? escapeXml(value) : elements(value)}</${name}>`,
    )
    .join('');
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Documents read to be written back (a page layout): every element kept in its order, so an update
 * sends the whole component as it was plus what setup adds. The Metadata API replaces a component
 * whole on update, so anything dropped here would vanish from the org.
 */
export type OrderedNode = Record<string, unknown>;

const orderedParser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});
const orderedBuilder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: true,
  suppressEmptyNode: false,
});

export function parseOrdered(xml: string): OrderedNode[] {
  return orderedParser.parse(xml) as OrderedNode[];
}

export function buildOrdered(nodes: OrderedNode[]): string {
  return orderedBuilder.build(nodes) as string;
}

/** The tag of an ordered node (`{ tag: children }`), or undefined for text. */
export function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

export function childrenOf(node: OrderedNode | undefined): OrderedNode[] {
  const tag = node && tagOf(node);
  const children = tag ? node[tag] : undefined;
  return Array.isArray(children) ? (children as OrderedNode[]) : [];
}

/** The text inside an element such as `<fullName>x</fullName>`. */
export function textOf(node: OrderedNode | undefined): string | undefined {
  const text = childrenOf(node).find((child) => '#text' in child)?.['#text'];
  return text === undefined ? undefined : String(text);
}

/** Every descendant element with this tag, depth first. */
export function findAll(nodes: OrderedNode[], tag: string): OrderedNode[] {
  return nodes.flatMap((node) => [...(tagOf(node) === tag ? [node] : []), ...findAll(childrenOf(node), tag)]);
}
