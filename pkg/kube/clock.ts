// Time as a dependency. Everything in pkg/kube whose behaviour depends on time (debounce, back-off,
// lease expiry, event de-duplication windows, resync) reads the clock and schedules timers through
// this interface, so unit tests drive it with a fake clock (testing/fake-clock.ts) and assert
// behaviour step by step instead of sleeping.

/** An opaque timer handle; only the clock that made it can cancel it. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's wall clock and timers. Timers are unref'd: a pending back-off never keeps Node alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * Waits `delayMs` on `clock`. Resolves true when the time passed, false as soon as `signal` aborts
 * (never rejects), so loops can write `if (!(await sleep(...))) return;`.
 */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, delayMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** An AbortSignal that aborts when `parent` aborts or after `timeoutMs` on `clock`, and a dispose(). */
export function timeoutSignal(
  clock: Clock,
  timeoutMs: number,
  parent?: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onAbort, { once: true });
  const timer = clock.setTimeout(
    () => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  return {
    signal: controller.signal,
    dispose() {
      clock.clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}

/** RFC 3339 with second precision, as metav1.Time serialises ("2026-01-02T03:04:05Z"). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises ("2026-01-02T03:04:05.123000Z"). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
