// Polling for tests against real processes: retry an assertion until it passes or time runs out,
// then fail with the assertion's own last error (so the test output says what was wrong, not just
// "timed out").

export interface EventuallyOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 100 ms. */
  intervalMs?: number;
}

/** Runs `assertion` until it neither throws nor returns false; resolves to its last result. */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const result = await assertion();
      if (result !== false) return result as Exclude<T, false>;
      lastError = new Error("the condition stayed false");
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Asserts that `assertion` holds every `intervalMs` for `durationMs` (e.g. "only one leader"). */
export async function consistently(
  assertion: () => unknown,
  options: { durationMs: number; intervalMs?: number },
): Promise<void> {
  const end = Date.now() + options.durationMs;
  while (Date.now() < end) {
    const result = await assertion();
    if (result === false) throw new Error("the condition became false");
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
