import { XMLParser, XMLValidator } from 'fast-xml-parser';

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const REPEATED = new Set([
  'metadata',
  'fields',
  'value',
  'fullNames',
  'queries',
  'layoutSections',
  'layoutColumns',
  'layoutItems',
  'relatedLists',
]);

/** A Metadata API call: its operation, the session it carries, and the operation's children. */
export interface SoapCall {
  operation: string;
  sessionId: string | undefined;
  /** The operation element, namespace prefixes removed, every value still text. */
  body: Record<string, unknown>;
}

export class SoapFault extends Error {
  constructor(
    readonly faultCode: string,
    message: string,
  ) {
    super(message);
  }
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Reads a SOAP 1.1 envelope; anything that is not one is a Client fault, as the org answers. */
export function parseSoapCall(xml: string): SoapCall {
  if (XMLValidator.validate(xml) !== true)
    throw new SoapFault('soapenv:Client', 'Unable to parse the request: malformed XML');
  const envelope = asObject(asObject(parser.parse(xml))?.Envelope);
  const body = asObject(envelope?.Body);
  const [operation, content] = Object.entries(body ?? {}).find(([name]) => !name.startsWith('@_')) ?? [];
  if (!operation) throw new SoapFault('soapenv:Client', 'The SOAP envelope has no operation in its Body');
  const session = asObject(asObject(envelope?.Header)?.SessionHeader)?.sessionId;
  return {
    operation,
    sessionId: typeof session === 'string' ? session : undefined,
    body: asObject(content) ?? {},
  };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:xsi="${XSI}" xmlns="${METADATA_NS}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

export interface SaveResult {
  fullName: string;
  success: boolean;
  error?: { statusCode: string; message: string };
}

/** `<{operation}Response>` around results already rendered as XML. */
export function operationResponse(operation: string, inner: string): string {
  return envelope(`<${operation}Response>${inner}</${operation}Response>`);
}

/** The `createMetadataResponse` (or `updateMetadataResponse`) with one SaveResult per component, in order. */
export function createMetadataResponse(results: SaveResult[], operation = 'createMetadata'): string {
  const items = results
    .map((r) => {
      const errors = r.error
        ? `<errors><message>${escapeXml(r.error.message)}</message><statusCode>${r.error.statusCode}</statusCode></errors>`
        : '';
      return `<result>${errors}<fullName>${escapeXml(r.fullName)}</fullName><success>${r.success}</success></result>`;
    })
    .join('');
  return operationResponse(operation, items);
}

export function soapFaultXml(faultCode: string, message: string): string {
  return envelope(
    `<soapenv:Fault><faultcode>${escapeXml(faultCode)}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>`,
  );
}

const MAX_COMPONENTS = 10;

/**
 * The components (or names) of a CRUD-based Metadata API call as a list: at most 10 per call
 * (Metadata API Developer Guide, createMetadata / readMetadata / updateMetadata).
 */
export function limitedComponents(values: unknown): unknown[] {
  const list = Array.isArray(values) ? values : values === undefined ? [] : [values];
  if (list.length > MAX_COMPONENTS) {
    throw new SoapFault(
      'sf:EXCEEDED_ID_LIMIT',
      `EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than ${MAX_COMPONENTS} records in this operation`,
    );
  }
  return list;
}
