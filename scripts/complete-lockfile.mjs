// Completes package-lock.json with the entries of optional, platform-specific packages that the
// registry reachable here does not serve (so `npm install` leaves them out of the lock file, and
// `npm ci` then refuses the lock as out of sync). Each added entry names only version, os, cpu and
// libc: `npm ci` skips such a package on any other platform without fetching it.
// Usage: node scripts/complete-lockfile.mjs   (after `npm install` changed the lock file)
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = /-(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(?:-(gnu|musl|gnueabihf|musleabihf|eabi|msvc))?$/;
const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] !== undefined || lock.packages[`${path}/${key}`] !== undefined) continue;
    const match = PLATFORM.exec(name);
    if (match === null) continue;
    const [, os, cpu, abi] = match;
    const libc = abi === undefined || os !== 'linux' ? undefined : abi.startsWith('musl') ? 'musl' : 'glibc';
    lock.packages[key] = {
      version,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os],
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} missing optional platform entries`);
