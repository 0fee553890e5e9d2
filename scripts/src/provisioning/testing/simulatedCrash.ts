/**
 * A crash, in-process: from `crash()` on, Graph still applies the batches already sent, but their answers
 * and every later checkpoint write are lost, retries waiting inside the Graph client never fire, and the run
 * never hears back (its promise stays pending, as a killed process would). Exactly what a resume must cope with. No jest imports: the benchmark uses it too.
 */
import type { BatchRequest } from '../../../../lib/graph';
import type { OutcomeEntry, ProvisioningLog, RecordLookup, SendingEntry } from '../checkpoint';
import type { GraphBatcher } from '../engine';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export class SimulatedCrash {
  private crashed = false;
  /** Batches whose answers the crash swallowed. */
  lostAnswers = 0;

  get hasCrashed(): boolean {
    return this.crashed;
  }

  crash(): void {
    this.crashed = true;
  }

  graph(inner: GraphBatcher): GraphBatcher {
    return {
      batch: (async (requests: BatchRequest[], options?: Parameters<GraphBatcher['batch']>[1]) => {
        if (this.crashed) return never();
        const responses = await inner.batch(requests, options);
        if (this.crashed) {
          this.lostAnswers++;
          return never();
        }
        return responses;
      }) as GraphBatcher['batch'],
    };
  }

  /** For the Graph client: a retry waiting out Retry-After when the crash comes never wakes up. */
  sleep(inner: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): (ms: number) => Promise<void> {
    return async (ms) => {
      if (this.crashed) return never();
      await inner(ms);
      if (this.crashed) return never();
    };
  }

  checkpoint<T extends ProvisioningLog & { records: RecordLookup }>(inner: T): ProvisioningLog & { records: RecordLookup } {
    return {
      records: inner.records,
      sending: (entries: readonly SendingEntry[]) => (this.crashed ? never() : inner.sending(entries)),
      settled: (entries: readonly OutcomeEntry[]) => (this.crashed ? never() : inner.settled(entries)),
    };
  }
}
