/** The part of autocannon's programmatic API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Histogram { average: number; mean: number; stddev: number; min: number; max: number; total: number; p50: number; p90: number; p97_5: number; p99: number; p99_9: number }
  interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: (Request & { setupRequest?: (req: Request, context: Record<string, unknown>) => Request; onResponse?: (status: number, body: string, context: Record<string, unknown>) => void })[];
    setupClient?: (client: EventEmitter & { setHeadersAndBody(headers: Record<string, string>, body: string): void }) => void;
  }
  interface Result {
    latency: Histogram; requests: Histogram; throughput: Histogram;
    errors: number; timeouts: number; non2xx: number; mismatches: number; duration: number;
    '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number;
    statusCodeStats: Record<string, { count: number }>;
  }
  function autocannon(opts: Options): Promise<Result> & EventEmitter;
  export = autocannon;
}
