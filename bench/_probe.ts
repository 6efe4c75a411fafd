import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { BenchChild, killAllChildren } from './support/child-process';
import { CiClient } from '../lib/client';
function gen(bytes: number, chunkSize = 64 * 1024): Readable {
  const pattern = randomBytes(chunkSize); let sent = 0;
  return new Readable({ read() { if (sent >= bytes) return void this.push(null); const size = Math.min(chunkSize, bytes - sent); const c = Buffer.allocUnsafe(size); pattern.copy(c, 0, 0, size); sent += size; this.push(c); } });
}
(async () => {
  const e = await BenchChild.start<any>('emu','bench/support/emulator.child.ts');
  const emu = { url: e.ready.url, close: () => e.stop() };
  const c = { secretId: e.ready.secretId, secretKey: e.ready.secretKey };
  const client = new CiClient({ bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', credentials: c, endpoint: emu.url, upload: JSON.parse(process.env.TUNE ?? '{}') });
  const n = Number(process.argv[2] ?? 1);
  await client.upload('w', gen(6 << 20));
  (globalThis as any).gc(); await new Promise(r => setTimeout(r, 100)); (globalThis as any).gc();
  const base = process.memoryUsage();
  const max = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 } as any;
  const live = process.argv[3] === 'live'; let samples = 0; const t = setInterval(() => { if (live) { (globalThis as any).gc(); samples++; } const m = process.memoryUsage() as any; for (const k of Object.keys(max)) max[k] = Math.max(max[k], m[k] - (base as any)[k]); }, 10);
  await Promise.all(Array.from({ length: n }, (_, i) => client.upload('k' + i, gen(20 << 20))));
  clearInterval(t);
  console.log('samples', samples);
  for (const k of Object.keys(max)) console.log(k, (max[k] / 1048576).toFixed(1));
  await client.close(); await emu.close(); killAllChildren();
})();
