/**
 * How much a linked-device session may ask of WhatsApp on its own. Each request an unofficial client
 * makes is one more thing WhatsApp can notice; these keep the requests few. Live messages cost
 * nothing extra: WhatsApp pushes them, and delivers what arrived while the device was offline itself.
 */
export interface TrafficLimits {
  /**
   * Only a disconnection at least this long has its gap filled by asking the phone for history
   * (`fetchMessageHistory`); WhatsApp's own offline delivery covers a shorter one.
   */
  gapMinMs: number;
  /** Chats asked about per gap: the most recently active ones. */
  gapFillChats: number;
  /** History requests per account in any 24 hours, kept in the store so a restart does not reset it. */
  gapRequestsPerDay: number;
  /** Media older than this is not asked of the phone again (`updateMediaMessage`) once the servers dropped it. */
  reuploadMaxAgeMs: number;
  /** Re-uploads asked of the phone per account in any hour, kept in the store. */
  reuploadsPerHour: number;
}

export const DEFAULT_TRAFFIC: TrafficLimits = {
  gapMinMs: 10 * 60_000,
  gapFillChats: 5,
  gapRequestsPerDay: 20,
  reuploadMaxAgeMs: 30 * 24 * 3_600_000,
  reuploadsPerHour: 10,
};

export const DAY_MS = 24 * 3_600_000;
export const HOUR_MS = 3_600_000;
