import { Agent, request } from 'node:http';

export interface LoadRequest {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** One request of the load: when it started and ended (ms since the epoch) and how. */
export interface Sample {
  start: number;
  end: number;
  /** 0 when no response came (see `error`). */
  status: number;
  cache?: string;
  /** The answer carried `Connection: close`. */
  closing: boolean;
  /** A connection error code, or TIMEOUT; absent when answered. */
  error?: string;
}

export interface LoadOptions {
  base: string;
  connections: number;
  /** Upper bounds on the whole load: it ends at whichever comes first, or at `stop()`. */
  maxMs: number;
  maxRequests: number;
  /** A request that gets no answer within this time counts as a TIMEOUT. */
  timeoutMs: number;
  next: (sequence: number) => LoadRequest;
  /** Asked before each request: false ends the load, as a load balancer takes a server out. */
  admit?: () => boolean;
}

/**
 * A closed-loop HTTP load on keep-alive connections: `connections` clients, each sending its
 * next request when the last one is answered, recording every outcome.
 */
export class HttpLoad {
  readonly samples: Sample[] = [];
  private stopped = false;
  private sequence = 0;
  private readonly agent: Agent;
  private readonly done: Promise<void>;

  constructor(private readonly options: LoadOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.connections });
    const deadline = Date.now() + options.maxMs;
    const client = async () => {
      while (
        !this.stopped &&
        Date.now() < deadline &&
        this.sequence < options.maxRequests &&
        (options.admit?.() ?? true)
      ) {
        this.samples.push(await this.send(options.next(this.sequence++)));
      }
    };
    this.done = Promise.all(Array.from({ length: options.connections }, client)).then(() => this.agent.destroy());
  }

  /** Resolves when every client has ended on its own (or a bound was reached). */
  finished(): Promise<void> {
    return this.done;
  }

  async stop(): Promise<Sample[]> {
    this.stopped = true;
    await this.done;
    return this.samples;
  }

  private send(spec: LoadRequest): Promise<Sample> {
    const start = Date.now();
    const { hostname, port } = new URL(this.options.base);
    const headers = {
      ...spec.headers,
      ...(spec.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(spec.body)) }),
    };
    return new Promise((resolve) => {
      const settle = (outcome: Omit<Sample, 'start' | 'end'>) => resolve({ start, end: Date.now(), ...outcome });
      const req = request(
        {
          host: hostname,
          port,
          path: spec.path,
          method: spec.method ?? 'GET',
          headers,
          agent: this.agent,
          timeout: this.options.timeoutMs,
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            settle({
              status: response.statusCode ?? 0,
              cache: response.headers['x-cache'] as string | undefined,
              closing: response.headers.connection === 'close',
            }),
          );
          response.on('error', (error: NodeJS.ErrnoException) =>
            settle({ status: 0, closing: true, error: `response ${error.code ?? error.message}` }),
          );
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) =>
        settle({ status: 0, closing: true, error: error.code ?? error.message }),
      );
      req.end(spec.body);
    });
  }
}

export const latency = (sample: Sample) => sample.end - sample.start;

/** The samples of requests started in [from, to). */
export const startedBetween = (samples: Sample[], from: number, to: number) =>
  samples.filter((s) => s.start >= from && s.start < to);

/** The `p`th percentile (nearest rank) of the samples' latencies, in ms; 0 for none. */
export function percentile(samples: Sample[], p: number): number {
  const sorted = samples.map(latency).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Share of the samples (in %) for which `failed` holds; 0 for none. */
export function percentOf(samples: Sample[], failed: (sample: Sample) => boolean): number {
  return samples.length === 0 ? 0 : (samples.filter(failed).length / samples.length) * 100;
}

export const isServerError = (sample: Sample) => sample.status >= 500;
export const isNoAnswer = (sample: Sample) => sample.error !== undefined;

/** Ms from `since` to the end of the first request that started after it and satisfies `ok`, or null. */
export function firstAfter(samples: Sample[], since: number, ok: (sample: Sample) => boolean): number | null {
  const ends = samples.filter((s) => s.start >= since && ok(s)).map((s) => s.end);
  return ends.length === 0 ? null : ends.reduce((a, b) => Math.min(a, b)) - since;
}
