import { FaultRegistry, type FaultRequest } from './fault-registry';

const put = (key: string): FaultRequest => ({
  method: 'PUT',
  operation: 'PutObject',
  bucket: 'b-1250000000',
  key,
});

describe('FaultRegistry', () => {
  it('applies the first matching fault, counts its times and drops it when spent', () => {
    const faults = new FaultRegistry();
    expect(faults.isEmpty).toBe(true);
    const a = faults.add({ match: { keyPrefix: 'a/' }, times: 2, action: { type: 'stall' } });
    const any = faults.add({ action: { type: 'malformed-xml' } });
    expect(faults.take(put('a/1'))).toEqual({ id: a, action: { type: 'stall' } });
    expect(faults.list()).toEqual([
      expect.objectContaining({ id: a, remaining: 1, hits: 1 }),
      expect.objectContaining({ id: any, remaining: 1, hits: 0 }),
    ]);
    expect(faults.take(put('b/1'))).toEqual({ id: any, action: { type: 'malformed-xml' } });
    expect(faults.take(put('b/1'))).toBeUndefined();
    expect(faults.take(put('a/2'))?.id).toBe(a);
    expect(faults.isEmpty).toBe(true);
  });

  it('matches operation (one or several), method and bucket; Infinity never runs out', () => {
    const faults = new FaultRegistry();
    const id = faults.add({
      match: { operation: ['UploadPart', 'PutObject'], method: 'PUT', bucket: 'b-1250000000' },
      times: Infinity,
      action: { type: 'latency', ms: 1 },
    });
    expect(faults.take({ ...put('x'), bucket: 'c-1250000000' })).toBeUndefined();
    expect(faults.take({ ...put('x'), method: 'POST' })).toBeUndefined();
    expect(faults.take({ ...put('x'), operation: 'GetObject' })).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(faults.take({ ...put('x'), operation: 'UploadPart' })?.id).toBe(id);
    expect(faults.list()[0]).toMatchObject({ remaining: Infinity, hits: 5 });
  });

  it('remove and clear; list gives copies', () => {
    const faults = new FaultRegistry();
    const id = faults.add({ action: { type: 'stall' } });
    faults.list()[0].match.keyPrefix = 'changed';
    expect(faults.list()[0].match).toEqual({});
    expect(faults.remove('nope')).toBe(false);
    expect(faults.remove(id)).toBe(true);
    faults.add({ action: { type: 'stall' } });
    faults.clear();
    expect(faults.list()).toEqual([]);
  });
});
