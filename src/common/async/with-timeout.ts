/**
 * Resolves with the operation's result, or rejects once `ms` have passed (the operation runs on).
 * One promise and one timer: it wraps every cache and queue command, so it stays off the allocator.
 */
export function withTimeout<T>(operation: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    operation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: Error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
