/**
 * The `time` block of every answer (limits.md, "Resource Consumption Limits"; batch.md's answers):
 * `start`/`finish` in seconds with fractions, `duration` (the whole request), `processing` (the
 * method's own work), `date_start`/`date_finish` as ISO times with an offset, and, from the
 * method's operating time, `operating_reset_at` (seconds) and `operating` (seconds summed).
 */
export interface AnswerTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export function answerTime(
  startMs: number,
  finishMs: number,
  processingMs: number,
  operating?: { operating: number; resetAt: number },
): AnswerTime {
  const time: AnswerTime = {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: (finishMs - startMs) / 1000,
    processing: processingMs / 1000,
    date_start: isoSeconds(startMs),
    date_finish: isoSeconds(finishMs),
  };
  if (operating) {
    time.operating_reset_at = operating.resetAt;
    time.operating = operating.operating;
  }
  return time;
}

/** `2024-08-29T10:34:19+00:00`: seconds, and the offset spelt out as the portal does. */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}
