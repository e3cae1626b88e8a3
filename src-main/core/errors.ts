// Errors travel as data with a stable code (see ipc/envelope.ts); the message is one sentence a planner understands.

export class ChangeMapError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChangeMapError';
  }
}

export function isChangeMapError(error: unknown): error is ChangeMapError {
  return error instanceof ChangeMapError;
}
