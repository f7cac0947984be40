/** wrk's summary as the load tests judge it: requests made, and failed ones (non-2xx/3xx answers and socket errors). */
export function wrkFigures(out: string): { requests: number; failed: number } {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0;
  return { requests, failed: non2xx + socketErrors };
}
