/**
 * The portal's state: CRM entities, timeline comments, Disk files, settings. Filled in by the CRM
 * methods' work; the frame only creates, resets and hands it to handlers.
 */
export interface PortalOptions {
  /** Milliseconds since the epoch. */
  clock: () => number;
}

export class Portal {
  constructor(readonly options: PortalOptions) {}

  now(): number {
    return this.options.clock();
  }

  reset(): void {}
}
