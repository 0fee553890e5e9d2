import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two byte strings. Callers derive values of the stored value's
 * length, so the length check below only fails for inputs that were already rejected as
 * malformed; it still compares a buffer with itself so that both paths do the same work.
 */
export function constantTimeEqual(expected: Uint8Array, actual: Uint8Array): boolean {
  if (expected.length !== actual.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, actual);
}

/** Constant-time equality of two ASCII strings (encoded checksums of equal, validated length). */
export function constantTimeEqualText(expected: string, actual: string): boolean {
  return constantTimeEqual(Buffer.from(expected, 'latin1'), Buffer.from(actual, 'latin1'));
}
