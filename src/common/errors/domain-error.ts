/**
 * An expected failure with the status and `detail` text the contract gives it. Services throw
 * these; the global filter turns them into responses, so services never depend on HTTP classes.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}
