/**
 * Errors that mean "the database is unreachable or overloaded right now", not "this request is
 * wrong": they answer 503 so clients and load balancers retry, instead of a 500.
 */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57'];
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'connection is closed',
  'Cannot use a pool after calling end',
  // pg's own bound on a query the server does not answer (query_timeout).
  'Query read timeout',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const candidate = error as { code?: unknown; message?: unknown; driverError?: unknown; name?: unknown };
  const code = typeof candidate.code === 'string' ? candidate.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
  if (code && UNAVAILABLE_NETWORK_CODES.has(code)) return true;
  if (
    typeof candidate.message === 'string' &&
    UNAVAILABLE_MESSAGES.some((m) => (candidate.message as string).includes(m))
  ) {
    return true;
  }
  return (
    candidate.driverError !== undefined &&
    candidate.driverError !== error &&
    isDatabaseUnavailable(candidate.driverError)
  );
}
