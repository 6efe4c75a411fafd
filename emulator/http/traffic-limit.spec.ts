import { Readable, Writable } from 'node:stream';
import { limitTraffic, limitUpload, type PacingClock, TrafficLimiter } from './traffic-limit';

/** A clock that records each wait the limiter asks for and moves time by it, so pacing is seen, not timed. */
function recordingClock(): PacingClock & { waits: number[]; time: number } {
  const clock = {
    time: 0,
    waits: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('TrafficLimiter (x-cos-traffic-limit, bit/s)', () => {
  it('paces n bytes to (n - one slice) * 8 / limit seconds of waits, in slices of a tenth of a second', async () => {
    const clock = recordingClock();
    const limit = 819_200; // COS's smallest limit: 100 KB/s, so slices of 10 240 bytes
    const body = Buffer.alloc(102_400, 7);
    const out = await drain(
      Readable.from([body.subarray(0, 50_000), body.subarray(50_000)]).pipe(new TrafficLimiter(limit, clock)),
    );
    expect(out.equals(body)).toBe(true);
    const slices = Math.ceil(50_000 / 10_240) + Math.ceil(52_400 / 10_240);
    expect(clock.waits).toHaveLength(slices - 1);
    // The last slice goes out at the time the limit allows for every byte before it.
    const lastSliceBytes = 52_400 % 10_240;
    expect(clock.time).toBeCloseTo(((body.length - lastSliceBytes) * 8 * 1000) / limit, 6);
  });

  it('a higher limit waits proportionally less; no limit leaves the body untouched', async () => {
    const slow = recordingClock();
    const fast = recordingClock();
    const body = Buffer.alloc(400_000);
    await drain(Readable.from([body]).pipe(new TrafficLimiter(819_200, slow)));
    await drain(Readable.from([body]).pipe(new TrafficLimiter(8_192_000, fast)));
    expect(slow.time / fast.time).toBeGreaterThan(9);
    const plain = Readable.from([body]);
    expect(limitTraffic(plain, undefined)).toBe(plain);
  });

  it('an upload sink is paced the same way, and finishes with every byte once the limiter is done', async () => {
    const clock = recordingClock();
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    const paced = limitUpload(sink, 819_200, clock);
    const finished = new Promise((resolve) => sink.on('finish', resolve));
    paced.end(Buffer.alloc(51_200, 1));
    await finished;
    expect(Buffer.concat(received).equals(Buffer.alloc(51_200, 1))).toBe(true);
    expect(clock.waits).toHaveLength(4);
    expect(clock.time).toBeCloseTo(400, 6); // 40 960 bytes before the last slice, at 102 400 bytes/s
    expect(limitUpload(sink, undefined)).toBe(sink);
  });
});
