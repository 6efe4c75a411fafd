import { BenchChild, killAllChildren } from './support/child-process';
import { photoLikeJpeg } from './support/images';
import { multipartBody, postUploads } from './support/load-generator';
import { cpuSeconds } from './support/proc-stats';
import { percentile } from './support/stats';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
(async () => {
  const which = process.argv[2] ?? 'a-ci-upload.app.ts';
  const emu = await BenchChild.start<any>('emu', 'bench/support/emulator.child.ts', {
    nodeArgs: ['--expose-gc'],
  });
  const small = await photoLikeJpeg(200 * 1024, { sigma: 30, quality: 85 });
  writeFileSync('/tmp/small.jpg', small);
  const env = {
    BENCH_EMULATOR_URL: emu.ready.url,
    BENCH_SECRET_ID: emu.ready.secretId,
    BENCH_SECRET_KEY: emu.ready.secretKey,
    BENCH_BUCKET: 'examplebucket-1250000000',
    BENCH_REGION: 'ap-guangzhou',
    BENCH_TMP_DIR: '/tmp',
    BENCH_IMAGES: '["/tmp/small.jpg"]',
  };
  const app = await BenchChild.start<any>('app', 'bench/contenders/' + which, {
    nodeArgs: ['--expose-gc'],
    env,
  });
  const body = multipartBody(small);
  for (let i = 0; i < Number(process.argv[3] ?? 3); i++) {
    if (process.env.PROF && i > 0) await app.call('profileStart');
    const c0 = cpuSeconds(app.pid),
      e0 = cpuSeconds(emu.pid),
      t0 = performance.now();
    const r = app.ready.port
      ? await postUploads({
          port: app.ready.port,
          path: '/upload',
          upload: body,
          count: 320,
          concurrency: Number(process.env.CONC ?? 16),
          deadlineMs: 60000,
        })
      : await app.call<any>('upload', {
          arg: '/tmp/small.jpg',
          count: 320,
          concurrency: Number(process.env.CONC ?? 16),
          deadlineMs: 60000,
        });
    const w = (performance.now() - t0) / 1000;
    console.log(
      `${(r.latenciesMs.length / w).toFixed(0)}/s p50 ${percentile(r.latenciesMs, 50).toFixed(1)} p99 ${percentile(r.latenciesMs, 99).toFixed(1)} app ${((100 * (cpuSeconds(app.pid) - c0)) / w).toFixed(0)}% emu ${((100 * (cpuSeconds(emu.pid) - e0)) / w).toFixed(0)}% gen ${r.generatorCpuSeconds ? ((100 * r.generatorCpuSeconds) / w).toFixed(0) : '-'}% fail ${r.failures} ${r.firstError ?? ''}`,
    );
    if (process.env.PROF && i > 0) await app.call('profileStop', { arg: `/tmp/prof/p${i}.cpuprofile` });
    await emu.call('reset');
  }
  await app.stop();
  await emu.stop();
  killAllChildren();
})();
