/** The circuit breaker's per-instance view of the shared circuit: a cache that only spares reads, and a store failure never stops sign-ins. */
import type { CircuitRule, CircuitState, LegacyCircuit } from '../state/port';
import { MemoryStateStore } from '../state/memoryStateStore';
import { CircuitBreaker } from './circuitBreaker';

const RULE = { threshold: 2, windowMs: 60_000, cooldownMs: 30_000 };

class CountingCircuit implements LegacyCircuit {
  reads = 0;
  subjects: string[] = [];
  failing = false;
  constructor(private readonly inner: LegacyCircuit) {}
  async trip(subject: string, now: Date, rule: CircuitRule): Promise<CircuitState> {
    if (this.failing) throw new Error('store down');
    this.subjects.push(subject);
    return this.inner.trip(subject, now, rule);
  }
  async read(): Promise<CircuitState> {
    this.reads += 1;
    if (this.failing) throw new Error('store down');
    return this.inner.read();
  }
}

describe('CircuitBreaker', () => {
  let clock: number;
  let shared: MemoryStateStore;
  beforeEach(() => {
    clock = Date.parse('2026-01-01T00:00:00.000Z');
    shared = new MemoryStateStore({ lockoutWindowMs: 60_000 });
  });
  const breaker = (circuit: LegacyCircuit, cacheMs = 1000) => new CircuitBreaker(circuit, { ...RULE, cacheMs, now: () => clock });

  it('records users by an opaque key, distinct per user, never the name', async () => {
    const circuit = new CountingCircuit(shared.circuit);
    const b = breaker(circuit);
    await b.trip('ada@contoso.com');
    await b.trip('ada@contoso.com');
    await b.trip('bob@contoso.com');
    expect(circuit.subjects[0]).toBe(circuit.subjects[1]);
    expect(circuit.subjects[2]).not.toBe(circuit.subjects[0]);
    expect(circuit.subjects.join()).not.toMatch(/ada|bob|contoso/);
  });

  it('reads a closed circuit at most once per cacheMs, and trusts an open one until it closes', async () => {
    const circuit = new CountingCircuit(shared.circuit);
    const b = breaker(circuit);
    expect(await b.openUntil()).toBeUndefined();
    expect(await b.openUntil()).toBeUndefined();
    expect(circuit.reads).toBe(1);
    // Another instance opens it: seen once the cache is older than cacheMs.
    const other = breaker(shared.circuit);
    await other.trip('u1');
    await other.trip('u2');
    expect(await b.openUntil()).toBeUndefined();
    clock += 1000;
    expect(await b.openUntil()).toBe(clock - 1000 + 30_000);
    const reads = circuit.reads;
    clock += 10_000;
    expect(await b.openUntil()).toBe(clock - 11_000 + 30_000);
    expect(circuit.reads).toBe(reads);
    clock += 20_000; // the cool-down is over
    expect(await b.openUntil()).toBeUndefined();
  });

  it('leaves the circuit closed while the store cannot answer: it protects B2C, it does not stop sign-ins', async () => {
    const circuit = new CountingCircuit(shared.circuit);
    circuit.failing = true;
    const b = breaker(circuit, 0);
    await expect(b.trip('ada@contoso.com')).resolves.toBeUndefined();
    expect(await b.openUntil()).toBeUndefined();
  });

  it('tells the caller\'s report when the store could not answer, so the skipped protection is logged', async () => {
    const circuit = new CountingCircuit(shared.circuit);
    circuit.failing = true;
    const b = breaker(circuit, 0);
    const reported: Array<[string, string]> = [];
    const report = (stage: string, error: unknown) => reported.push([stage, (error as Error).message]);
    await b.trip('ada@contoso.com', report);
    expect(await b.openUntil(report)).toBeUndefined();
    expect(reported).toEqual([
      ['circuit-trip', 'store down'],
      ['circuit-read', 'store down'],
    ]);
    // A store that answers reports nothing.
    circuit.failing = false;
    reported.length = 0;
    await b.trip('ada@contoso.com', report);
    await b.openUntil(report);
    expect(reported).toEqual([]);
  });
});
