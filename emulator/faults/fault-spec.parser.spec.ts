import { parseFaultSpec } from './fault-spec.parser';

describe('parseFaultSpec', () => {
  it('normalises a fault: times 1, latency phase headers, upper-case method, keyPrefix without a leading slash', () => {
    expect(
      parseFaultSpec({ match: { method: 'put', keyPrefix: '/up/' }, action: { type: 'latency', ms: 5 } }),
    ).toEqual({
      match: { method: 'PUT', keyPrefix: 'up/' },
      times: 1,
      action: { type: 'latency', ms: 5, phase: 'headers' },
    });
    expect(parseFaultSpec({ times: Infinity, action: { type: 'stall' } })).toEqual({
      match: {},
      times: Infinity,
      action: { type: 'stall' },
    });
    expect(
      parseFaultSpec({
        match: { operation: ['UploadPart', 'CompleteMultipartUpload'] },
        action: { type: 'error', status: 503, code: 'SlowDown', message: 'slow down' },
      }).action,
    ).toEqual({ type: 'error', status: 503, code: 'SlowDown', message: 'slow down' });
    expect(parseFaultSpec({ action: { type: 'slow-processing', ms: 2000 } }).action).toEqual({
      type: 'slow-processing',
      ms: 2000,
    });
  });

  it.each([
    [null, /^fault must be an object/],
    [{ action: { type: 'nap' } }, /fault\.action\.type must be "latency"/],
    [{ action: { type: 'latency', ms: -1 } }, /fault\.action\.ms must be an integer from 0/],
    [{ action: { type: 'latency', ms: 1, phase: 'trailers' } }, /fault\.action\.phase/],
    [{ action: { type: 'error', status: 302, code: 'Found' } }, /fault\.action\.status .* from 400 to 599/],
    [{ action: { type: 'error', status: 500, code: 'a b' } }, /fault\.action\.code must be letters/],
    [{ action: { type: 'reset' } }, /fault\.action\.phase must be "request" or "response"/],
    [{ action: { type: 'stall', ms: 1 } }, /fault\.action\.ms is not a known field/],
    [{ action: { type: 'slow-processing' } }, /fault\.action\.ms must be an integer from 0/],
    [{ action: { type: 'slow-processing', ms: 1, phase: 'body' } }, /fault\.action\.phase is not a known/],
    [{ match: { operation: 'Put' }, action: { type: 'stall' } }, /fault\.match\.operation must be one of/],
    [{ match: { operation: ['PutObject', 'x'] }, action: { type: 'stall' } }, /fault\.match\.operation\[1\]/],
    [{ match: { key: 'a' }, action: { type: 'stall' } }, /fault\.match\.key is not a known field/],
    [{ times: 1.5, action: { type: 'stall' } }, /fault\.times/],
    [{ times: 0, action: { type: 'stall' } }, /fault\.times/],
  ])('refuses %j with a message naming the field', (value, message) => {
    expect(() => parseFaultSpec(value)).toThrow(TypeError);
    expect(() => parseFaultSpec(value)).toThrow(message);
  });
});
