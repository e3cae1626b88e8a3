// The result envelope every API call returns: errors travel as data with a stable code.

export type ErrorCode =
  | 'VALIDATION'
  | 'INTERNAL'
  | 'UNAUTHORIZED'
  | 'UNKNOWN_CHANNEL'
  | 'NO_PROJECT'
  | 'NOT_A_PROJECT'
  | 'PROJECT_CORRUPT'
  | 'PROJECT_READ_ONLY'
  | 'PROJECT_TOO_NEW'
  | 'PROJECT_IN_USE'
  | 'PROJECT_EXISTS'
  | 'NOT_FOUND'
  | 'DISK_FULL'
  | (string & {});

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
