import type { ClassifiedRequest } from '../routing/classified-request';
import { parseFaultSpec } from './fault-spec.parser';
import type { CiEmulatorFaults, CiFaultAction, CiFaultInfo, CiFaultMatch, CiFaultSpec } from './fault.types';

/** What a fault is matched against: the request as the front door classified it. */
export type FaultRequest = Pick<ClassifiedRequest, 'method' | 'operation' | 'bucket' | 'key'>;

/** A fault chosen for one request. */
export interface TakenFault {
  id: string;
  action: CiFaultAction;
}

interface Entry {
  id: string;
  match: CiFaultMatch;
  action: CiFaultAction;
  remaining: number;
  hits: number;
}

function matches(match: CiFaultMatch, request: FaultRequest): boolean {
  if (match.operation !== undefined) {
    const operations: readonly string[] = Array.isArray(match.operation)
      ? match.operation
      : [match.operation];
    if (!operations.includes(request.operation)) return false;
  }
  if (match.method !== undefined && match.method !== request.method) return false;
  if (match.bucket !== undefined && match.bucket !== request.bucket) return false;
  if (match.keyPrefix !== undefined && !request.key.startsWith(match.keyPrefix)) return false;
  return true;
}

/**
 * The registered faults of an emulator: added, listed, removed, and taken one request at a time (the first
 * matching fault applies and loses one of its `times`; at zero it is removed).
 * @example
 * const faults = new FaultRegistry();
 * faults.add({ match: { operation: 'PutObject' }, action: { type: 'stall' } });
 * faults.take({ method: 'PUT', operation: 'PutObject', key: 'a.jpg' }); // { id: 'fault-1', action: { type: 'stall' } }
 */
export class FaultRegistry implements CiEmulatorFaults {
  private readonly entries: Entry[] = [];
  private sequence = 0;

  /** True when no fault is registered (the request path then skips classification). */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  add(fault: CiFaultSpec): string {
    const spec = parseFaultSpec(fault);
    const id = `fault-${++this.sequence}`;
    this.entries.push({ id, match: spec.match, action: spec.action, remaining: spec.times, hits: 0 });
    return id;
  }

  remove(id: string): boolean {
    const index = this.entries.findIndex((e) => e.id === id);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  clear(): void {
    this.entries.length = 0;
  }

  list(): CiFaultInfo[] {
    return this.entries.map((e) => structuredClone(e));
  }

  /** The fault that applies to `request`, counted as used; `undefined` when none matches. */
  take(request: FaultRequest): TakenFault | undefined {
    const index = this.entries.findIndex((e) => matches(e.match, request));
    if (index < 0) return undefined;
    const entry = this.entries[index];
    entry.hits += 1;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(index, 1);
    return { id: entry.id, action: structuredClone(entry.action) };
  }
}
