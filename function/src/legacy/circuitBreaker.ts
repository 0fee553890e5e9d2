/**
 * The tenant-wide circuit breaker in front of the B2C tenant (README "From Azure AD B2C to External ID"): once
 * throttled or locked answers came for `threshold` distinct users within the window, no instance calls B2C
 * for the cool-down. The state lives in the shared state store (LegacyCircuit); each instance caches what it
 * read for a moment, only to spare a read per sign-in.
 */
import { createHash } from 'node:crypto';
import type { CircuitRule, LegacyCircuit } from '../state/port';
import type { ProtectionFailureReport } from './port';

export interface CircuitBreakerOptions extends CircuitRule {
  /** How long an instance trusts its last read of a closed circuit (an open one is trusted until it closes). Default 1000 ms. */
  readonly cacheMs?: number;
  /** Wall clock (tests). */
  readonly now?: () => number;
}

const DEFAULT_CACHE_MS = 1000;

export class CircuitBreaker {
  private readonly rule: CircuitRule;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private known: { openUntil?: number; readAt: number } = { readAt: -Infinity };

  constructor(
    private readonly circuit: LegacyCircuit,
    options: CircuitBreakerOptions,
  ) {
    this.rule = { threshold: options.threshold, windowMs: options.windowMs, cooldownMs: options.cooldownMs };
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * The epoch ms until which the circuit is open, or undefined when B2C may be called. A store that cannot
   * answer leaves the circuit closed: the breaker protects B2C, it must not stop sign-ins on its own; `report`
   * is told, so the skipped protection is logged.
   */
  async openUntil(report?: ProtectionFailureReport): Promise<number | undefined> {
    const now = this.now();
    if (this.known.openUntil !== undefined && this.known.openUntil > now) return this.known.openUntil;
    if (now - this.known.readAt >= this.cacheMs) {
      try {
        this.remember((await this.circuit.read()).openUntil, now);
      } catch (error) {
        this.known = { readAt: now };
        report?.('circuit-read', error);
      }
    }
    const until = this.known.openUntil;
    return until !== undefined && until > now ? until : undefined;
  }

  /** Records a throttled or locked answer for this user (by an opaque key, never the name); a store failure goes to `report`. */
  async trip(username: string, report?: ProtectionFailureReport): Promise<void> {
    const now = this.now();
    try {
      this.remember((await this.circuit.trip(subjectOf(username), new Date(now), this.rule)).openUntil, now);
    } catch (error) {
      // Not recorded: the next throttled answer tries again.
      report?.('circuit-trip', error);
    }
  }

  private remember(openUntil: number | undefined, now: number): void {
    this.known = { readAt: now, ...(openUntil !== undefined ? { openUntil } : {}) };
  }
}

/** An opaque per-user key: distinct users stay distinct, and the store never holds the sign-in name. */
function subjectOf(username: string): string {
  return createHash('sha256').update(username).digest('base64url').slice(0, 22);
}
