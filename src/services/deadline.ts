/**
 * Deadlines for outbound calls. Idle timeouts (undici's body timeout, nodemailer's socket
 * timeout) never fire on a server that trickles one byte every few seconds, so every call here
 * gets one overall deadline, from the first byte sent to the last byte read, combined with the
 * caller's own AbortSignal (Cancel still aborts at once).
 */

/** An outside system did not finish answering within its deadline. Worth a retry. */
export class OutboundTimeoutError extends Error {
  /** Node's code for the same situation, so code-based classifiers treat it as a network error. */
  readonly code = 'ETIMEDOUT';
  constructor(
    /** What was called: "GitHub", "Slack", "the Anthropic API", "the mail server". */
    readonly service: string,
    readonly timeoutMs: number,
    options: { cause?: unknown } = {},
  ) {
    super(`${service} did not answer within ${formatSeconds(timeoutMs)}`, options);
    this.name = 'OutboundTimeoutError';
  }
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/**
 * A signal that aborts when `signal` does or when `timeoutMs` has passed, and a way to tell
 * which of the two it was.
 */
export function withDeadline(
  signal: AbortSignal | null | undefined,
  timeoutMs: number,
): { signal: AbortSignal; timedOut: () => boolean } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return {
    signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    timedOut: () => deadline.aborted && !signal?.aborted,
  };
}

/** The caller's cancellation, as an AbortError: HTTP clients (Octokit) rethrow it without retrying. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(
    reason instanceof Error ? reason.message : 'This operation was aborted',
    'AbortError',
  );
}

/**
 * `fetch` with an overall deadline for each request: the response body is read inside the
 * deadline and handed back buffered, so a server that sends headers and then trickles the body
 * cannot hold the caller. Meant for the JSON APIs the bot calls (GitHub, Slack, Anthropic without
 * streaming), whose answers are small.
 */
export function deadlineFetch(
  service: string,
  timeoutMs: number,
  base: typeof fetch = globalThis.fetch,
  /** Told every call's HTTP status, or undefined when none came back (metrics). */
  observe: (status: number | undefined) => void = () => {},
): typeof fetch {
  return async (input, init) => {
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const { signal, timedOut } = withDeadline(callerSignal, timeoutMs);
    try {
      let response: Response;
      try {
        response = await base(input, { ...init, signal });
      } catch (err) {
        observe(undefined);
        throw err;
      }
      observe(response.status);
      // A body is not allowed on these statuses; everything else is read in full, within the deadline.
      const noBody = [101, 204, 205, 304].includes(response.status) || init?.method === 'HEAD';
      const body = noBody ? null : await response.arrayBuffer();
      const buffered = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      // Octokit reports the final URL (after redirects); a constructed Response has none.
      Object.defineProperty(buffered, 'url', { value: response.url });
      return buffered;
    } catch (err) {
      if (timedOut()) throw new OutboundTimeoutError(service, timeoutMs, { cause: err });
      if (callerSignal?.aborted) throw abortError(callerSignal);
      throw err;
    }
  };
}

/** Runs `work` with an overall deadline; `work` must stop when the signal it is given aborts. */
export async function runWithDeadline<T>(
  service: string,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, timedOut } = withDeadline(callerSignal, timeoutMs);
  try {
    return await work(signal);
  } catch (err) {
    if (timedOut()) throw new OutboundTimeoutError(service, timeoutMs, { cause: err });
    throw err;
  }
}

/**
 * Waits `ms`, or rejects with the signal's own reason as soon as it aborts (so a cancel or a
 * step deadline keeps its meaning for the caller; `timers/promises` would turn it into AbortError).
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
