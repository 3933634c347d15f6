/**
 * Completes package-lock.json with the entries of optional, platform-specific packages that the
 * registry reachable here does not serve (so `npm install` leaves them out of the lock file, and
 * `npm ci` then refuses the lock as out of sync). Each added entry names only version, os, cpu and
 * libc: `npm ci` skips such a package on any other platform without fetching it.
 *
 * Usage: `npm run lock:complete` after an `npm install` that changed the lock file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  readonly dev?: boolean;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

const PLATFORM =
  /-(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(?:-(gnu|musl|gnueabihf|musleabihf|eabi|msvc))?$/;

const lockPath = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };
const packages = new Map(Object.entries(lock.packages));
let added = 0;
for (const [path, entry] of [...packages]) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages.has(key) || packages.has(`${path}/${key}`)) continue;
    const match = PLATFORM.exec(name);
    if (match === null) continue;
    const [, os = '', cpu = '', abi] = match;
    const libc = abi === undefined || os !== 'linux' ? undefined : abi.startsWith('musl') ? 'musl' : 'glibc';
    packages.set(key, {
      version,
      cpu: [cpu],
      ...(entry.dev === true ? { dev: true } : {}),
      ...(libc === undefined ? {} : { libc: [libc] }),
      optional: true,
      os: [os],
    });
    added += 1;
  }
}
const sorted = [...packages].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
writeFileSync(lockPath, JSON.stringify({ ...lock, packages: Object.fromEntries(sorted) }, null, 2) + '\n');
console.log(`added ${added} missing optional platform entries`);
