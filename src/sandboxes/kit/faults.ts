import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { seededRandom } from '../../core/seeded-random.js';
import type { RequestCounters } from './counters.js';

/**
 * Faults the kit carries out itself, alike for every vendor since no answer is given: `timeout`, a
 * request held past the client's patience and then cut unanswered; `lost-answer`, a request served
 * in full whose answer is dropped with the connection (the work is done, the client cannot know).
 * Every other kind is a vendor's HTTP answer, rendered by that vendor's sandbox.
 */
export type ConnectionFault = 'timeout' | 'lost-answer';

export interface FaultOptions<K extends string> {
  /** Share of API requests (0..1) that fail instead of being served. */
  rate: number;
  /** Seed of the generator that picks which requests fail and how, so a run can be replayed. Default 1. */
  seed?: number | undefined;
  /** How long a `timeout` fault holds the request before closing the connection unanswered. Default 30 000 ms. */
  timeoutMs?: number | undefined;
  /** Which failures to pick from, uniformly. Default every kind the sandbox has. */
  kinds?: K[] | undefined;
}

export interface ResolvedFaults<K extends string> {
  rate: number;
  seed: number;
  timeoutMs: number;
  kinds: K[];
}

/** Fills in defaults and refuses a rate or a kind list that would make the sandbox misbehave silently. */
export function resolveFaults<K extends string>(
  options: FaultOptions<K> | undefined,
  allKinds: readonly K[],
): ResolvedFaults<K> {
  const rate = options?.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`faults.rate must be between 0 and 1, not ${rate}`);
  const kinds = [...new Set(options?.kinds ?? allKinds)];
  if (kinds.length === 0) throw new Error('faults.kinds must name at least one kind');
  const unknown = kinds.find((kind) => !allKinds.includes(kind));
  if (unknown !== undefined)
    throw new Error(`faults.kinds: no fault ${unknown}; the kinds are ${allKinds.join(', ')}`);
  return { rate, seed: options?.seed ?? 1, timeoutMs: options?.timeoutMs ?? 30_000, kinds };
}

/** Decides, request by request and reproducibly for a seed, whether and how an API request fails. */
export class FaultInjector<K extends string> {
  private random: () => number;

  constructor(private readonly options: ResolvedFaults<K>) {
    this.random = seededRandom(options.seed);
  }

  draw(): K | undefined {
    if (this.options.rate <= 0) return undefined;
    if (this.random() >= this.options.rate) return undefined;
    const kinds = this.options.kinds;
    return kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0];
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  reset(): void {
    this.random = seededRandom(this.options.seed);
  }
}

/** What to do with a request the gate has seen: serve it, answer a vendor fault, or nothing (dropped). */
export type FaultDecision<K extends string> =
  | { action: 'serve' }
  | { action: 'answer'; kind: Exclude<K, ConnectionFault> }
  | { action: 'dropped' };

/** `times` API requests fail as `kind`, once `after` more have been served: a fault a test points at. */
export interface ScriptedFault<K extends string> {
  kind: K;
  after: number;
  times: number;
}

/**
 * Where a sandbox's API requests meet the faults: a request first meets the faults a test scripted
 * (in order), else one drawn at random; the gate counts it and carries out the connection faults
 * itself; the vendor's sandbox renders the rest as its CRM answers them. `K` is every kind the
 * vendor renders (a scripted fault may name one the random draw never picks, such as an expired
 * session). `install` adds the hooks that drop lost answers and cut held requests on close.
 */
export class FaultGate<K extends string> {
  readonly injector: FaultInjector<K>;
  /** Requests held open by timeout faults; closing the sandbox releases them. */
  private readonly hung = new Set<AbortController>();
  /** Requests whose answer is to be lost once they are served. */
  private readonly losing = new WeakSet<FastifyRequest>();
  private scripted: ScriptedFault<K>[] = [];

  constructor(
    options: ResolvedFaults<K>,
    private readonly counters: RequestCounters,
  ) {
    this.injector = new FaultInjector(options);
  }

  /** Queues a scripted fault behind any already queued. */
  script(fault: ScriptedFault<K>): void {
    this.scripted.push({ ...fault });
  }

  clearScripted(): void {
    this.scripted = [];
  }

  /** The scripted fault this request meets, if one is due; counts the request against the queue. */
  private takeScripted(): K | undefined {
    const next = this.scripted[0];
    if (!next) return undefined;
    if (next.after > 0) {
      next.after -= 1;
      return undefined;
    }
    next.times -= 1;
    if (next.times <= 0) this.scripted.shift();
    return next.kind;
  }

  install(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      if (!this.losing.has(request)) return payload;
      // Served, answer written to nobody: the client sees the connection close mid-request.
      request.raw.socket?.destroy();
      reply.raw.destroy();
      return payload;
    });
    app.addHook('preClose', async () => this.releaseHung());
  }

  async decide(request: FastifyRequest, reply: FastifyReply): Promise<FaultDecision<K>> {
    const kind = this.takeScripted() ?? this.injector.draw();
    if (kind === undefined) return { action: 'serve' };
    this.counters.recordFault(kind);
    const fault: string = kind;
    if (fault === 'lost-answer') {
      this.losing.add(request);
      return { action: 'serve' };
    }
    if (fault === 'timeout') {
      await this.hangThenDrop(request, reply);
      return { action: 'dropped' };
    }
    return { action: 'answer', kind: kind as Exclude<K, ConnectionFault> };
  }

  reset(): void {
    this.injector.reset();
    this.scripted = [];
  }

  /** Holds the request past the client's patience, then closes the connection without an answer. */
  private async hangThenDrop(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const release = new AbortController();
    this.hung.add(release);
    try {
      await sleep(this.injector.timeoutMs, undefined, { signal: release.signal });
    } catch {
      // Released by close(): drop the connection now.
    } finally {
      this.hung.delete(release);
      request.raw.socket?.destroy();
      reply.raw.destroy();
    }
  }

  /** Cuts every held request at once, so closing the sandbox does not wait out their timeouts. */
  private releaseHung(): void {
    for (const release of this.hung) release.abort();
  }
}
