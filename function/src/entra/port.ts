/** Port: what the callout reads about a user from the External ID directory (Microsoft Graph). */
export interface PasswordTimes {
  readonly createdDateTime?: string;
  readonly lastPasswordChangeDateTime?: string;
}

export interface EntraDirectory {
  /** The user's creation and last password change; rejects when Graph cannot answer (the caller maps that). */
  readPasswordTimes(userId: string, signal: AbortSignal): Promise<PasswordTimes>;
  /** Proves at start-up that the credential signs in and may read users; throws an error that names the fix. */
  probe(): Promise<void>;
  close(): void;
}

/** Raised when Graph cannot answer; the message names the cause (status or network), never a token. */
export class EntraDirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EntraDirectoryError';
  }
}
