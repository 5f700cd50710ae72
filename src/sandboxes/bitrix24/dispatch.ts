import type { Caller } from './credentials.js';
import type { OperatingTime } from './limits.js';
import { Bitrix24Error, type MethodAnswer, type MethodDefinition } from './method.js';
import type { Params } from './params.js';
import type { Portal } from './portal.js';

export interface Dispatcher {
  methods: Record<string, MethodDefinition>;
  portal: Portal;
  operating: OperatingTime;
  clock: () => number;
  /** Seconds a call costs against its method's operating time; default its measured time. */
  operatingCost: ((method: string) => number) | undefined;
}

export interface Served extends MethodAnswer {
  processingMs: number;
  operating: { operating: number; resetAt: number };
}

/** The method's definition, or 404 ERROR_METHOD_NOT_FOUND "Method not found!" (_includes/system-errors.md). */
export function findMethod(dispatcher: Dispatcher, name: string): MethodDefinition {
  const definition = Object.hasOwn(dispatcher.methods, name) ? dispatcher.methods[name] : undefined;
  if (!definition) throw new Bitrix24Error(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
  return definition;
}

/**
 * Runs one method for a caller: its scope (401 insufficient_scope, whose text names the webhook or
 * the access token: _includes/system-errors.md), its operating-time block, the handler, and the time
 * it spent added to the method's sum (limits.md: "The execution time data for each individual
 * method is summed").
 */
export function serve(dispatcher: Dispatcher, name: string, params: Params, caller: Caller): Served {
  const definition = findMethod(dispatcher, name);
  const needs = typeof definition.scope === 'string' ? [definition.scope] : definition.scope;
  if (!needs.some((scope) => caller.scopes.includes(scope)))
    throw new Bitrix24Error(
      401,
      'insufficient_scope',
      `The request requires higher privileges than provided by the ${caller.via === 'webhook' ? 'webhook token' : 'access token'}`,
    );
  dispatcher.operating.check(name);
  const started = dispatcher.clock();
  const wallStart = performance.now();
  const spend = () => {
    const seconds = dispatcher.operatingCost?.(name) ?? (performance.now() - wallStart) / 1000;
    dispatcher.operating.record(name, seconds);
    return { operating: dispatcher.operating.operating(name), resetAt: dispatcher.operating.resetAt(name) };
  };
  let answer: MethodAnswer;
  try {
    answer = definition.handle(params, {
      portal: dispatcher.portal,
      userId: caller.userId,
      scopes: caller.scopes,
    });
  } catch (error) {
    // A failing call has run too: its time counts as well (unverified, the stricter reading).
    spend();
    throw error;
  }
  return { ...answer, processingMs: dispatcher.clock() - started, operating: spend() };
}
