import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package under node_modules, a file of this repository, or Node itself. */
function place(url: string, root: string): string {
  if (!url) return '(native / idle / GC)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return path.replace(/^node:internal\//, 'node:');
  if (path.startsWith(root)) return relative(root, path);
  return path;
}

/**
 * Where the time of `.cpuprofile` files goes, as a markdown report: self time by place (package, file of this
 * repository, Node module), total time by place (a sample counts once for every place on its stack: the time
 * spent under it), and the top functions by self time.
 */
export function summarizeCpuProfiles(files: string[], root: string, top = 20): string {
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const underPlace = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!node) return;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') return;
      const stack = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
        const frame = nodes.get(at)?.callFrame;
        if (frame?.url) stack.add(place(frame.url, root));
      }
      // The profiler's own session (Profiler.stop serialising the profile) is not the contender's work.
      if (stack.has('node:inspector')) return;
      total += us;
      const where = place(url, root);
      const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      byPlace.set(where, (byPlace.get(where) ?? 0) + us);
      for (const p of stack) underPlace.set(p, (underPlace.get(p) ?? 0) + us);
    });
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `| ${name} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} |`);
  return [
    `CPU profile (${files.length} profile(s), ${(total / 1e6).toFixed(2)} s busy, idle and the profiler's own session excluded)`,
    '',
    '| place | self ms | % |',
    '| --- | ---: | ---: |',
    ...rank(byPlace),
    '',
    '| place (total: time with it on the stack) | ms | % |',
    '| --- | ---: | ---: |',
    ...rank(underPlace),
    '',
    '| function | self ms | % |',
    '| --- | ---: | ---: |',
    ...rank(byFunction),
  ].join('\n');
}
