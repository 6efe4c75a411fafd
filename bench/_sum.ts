import { readdirSync } from 'node:fs';
import { summarizeCpuProfiles } from './support/cpu-profile';
console.log(
  summarizeCpuProfiles(
    readdirSync('/tmp/prof').map((f) => '/tmp/prof/' + f),
    '/work/main',
    30,
  ),
);
