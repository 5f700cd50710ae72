import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describe } from './api';

/**
 * A list the API answers as `{ data: [...] }`, loaded on mount and again on `reload()`; a failure goes
 * to `onError` (worded for a person), so each screen shows it where it shows its other errors.
 */
export function useList<T>(
  path: string,
  onError: (message: string) => void,
): { rows: T[] | undefined; reload: () => Promise<void> } {
  const [rows, setRows] = useState<T[]>();
  const report = useRef(onError);
  report.current = onError;
  const reload = useCallback(
    () =>
      api<{ data: T[] }>('GET', path).then(
        (result) => setRows(result.data),
        (failure) => report.current(describe(failure)),
      ),
    [path],
  );
  useEffect(() => void reload(), [reload]);
  return { rows, reload };
}
