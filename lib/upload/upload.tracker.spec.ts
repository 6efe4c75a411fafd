import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CiUploadTracker } from './upload.tracker';

describe('CiUploadTracker', () => {
  it('aborts work in flight on shutdown and refuses new work', async () => {
    const tracker = new CiUploadTracker();
    const running = tracker.track(
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      { method: 'PUT', path: '/a' },
    );
    expect(tracker.size).toBe(1);
    expect(await tracker.shutdown(1000)).toBe(true);
    await expect(running).rejects.toThrow('application is shutting down');
    await expect(tracker.track(async () => 1, { method: 'PUT', path: '/b' })).rejects.toMatchObject({
      code: 'CI_ABORTED',
    });
  });

  it('brings deferred checks due after the deadline forward into it, and waits for them', async () => {
    const tracker = new CiUploadTracker();
    const ran: string[] = [];
    tracker.defer(60_000, async () => void ran.push('late check'));
    expect(tracker.pendingChecks).toBe(1);
    expect(await tracker.shutdown(1000)).toBe(true);
    expect(ran).toEqual(['late check']);
    expect(tracker.pendingChecks).toBe(0);
  });

  it('runs a deferred check due within the deadline at its own time, not at once (CI may commit late)', async () => {
    const tracker = new CiUploadTracker();
    const ran: string[] = [];
    tracker.defer(200, async () => void ran.push('check'));
    const shutdown = tracker.shutdown(5_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([]);
    expect(await shutdown).toBe(true);
    expect(ran).toEqual(['check']);
  });

  it('gives up at the deadline and destroys the socket of a request still open', async () => {
    const tracker = new CiUploadTracker();
    let held: IncomingMessage | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      held = req;
      tracker.holdRequest(req, res); // never answered
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = request({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      method: 'POST',
    });
    const closed = new Promise((r) => client.on('error', r).on('close', r));
    client.write('partial body, then silence');
    while (!held) await new Promise((r) => setTimeout(r, 5));
    expect(await tracker.shutdown(50)).toBe(false);
    await closed;
    expect(held.socket.destroyed).toBe(true);
    await new Promise((r) => server.close(r));
  });
});
