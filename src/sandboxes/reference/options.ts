import {
  type ConnectionFault,
  type FaultOptions,
  type ResolvedFaults,
  resolveFaults,
} from '../kit/faults.js';

/**
 * The reference CRM's injected failures: `429` (too many requests, with Retry-After) and `503`
 * answered as the API answers them, and the kit's `timeout` and `lost-answer`.
 */
export type ReferenceFaultKind = '429' | '503' | ConnectionFault;

const ALL_FAULTS: ReferenceFaultKind[] = ['429', '503', 'timeout', 'lost-answer'];

/** Options of {@link buildReferenceSandbox}; every one is optional. */
export interface ReferenceSandboxOptions {
  /** The API key requests must carry as a bearer token. Default `reference-key`. */
  apiKey?: string;
  /** Random failures of API requests (not of the inspection routes). Default none. */
  faults?: FaultOptions<ReferenceFaultKind>;
  /** Delay added to every API request, in ms. Default 0. */
  latencyMs?: number;
  /** The Retry-After (seconds) of a 429. Default 1. */
  retryAfterSeconds?: number;
  /** Phones one lookup may carry. Default 20. */
  maxLookupsPerCall?: number;
  /** Transcripts one upsert may carry. Default 50. */
  maxTranscriptsPerCall?: number;
  /** Largest file an upload may carry. Default 25 MiB. */
  maxAttachmentBytes?: number;
  /** Log requests as JSON lines with pino. Default false. */
  logger?: boolean;
}

export interface ResolvedReferenceOptions {
  apiKey: string;
  faults: ResolvedFaults<ReferenceFaultKind>;
  latencyMs: number;
  retryAfterSeconds: number;
  maxLookupsPerCall: number;
  maxTranscriptsPerCall: number;
  maxAttachmentBytes: number;
  logger: boolean;
}

export function resolveReferenceOptions(options: ReferenceSandboxOptions): ResolvedReferenceOptions {
  const count = (name: string, value: number | undefined, fallback: number) => {
    const resolved = value ?? fallback;
    if (!(Number.isInteger(resolved) && resolved >= 0))
      throw new Error(`${name} must be a whole number from 0`);
    return resolved;
  };
  return {
    apiKey: options.apiKey ?? 'reference-key',
    faults: resolveFaults(options.faults, ALL_FAULTS),
    latencyMs: count('latencyMs', options.latencyMs, 0),
    retryAfterSeconds: count('retryAfterSeconds', options.retryAfterSeconds, 1),
    maxLookupsPerCall: count('maxLookupsPerCall', options.maxLookupsPerCall, 20),
    maxTranscriptsPerCall: count('maxTranscriptsPerCall', options.maxTranscriptsPerCall, 50),
    maxAttachmentBytes: count('maxAttachmentBytes', options.maxAttachmentBytes, 25 * 1024 * 1024),
    logger: options.logger ?? false,
  };
}
