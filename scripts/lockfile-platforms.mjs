// Restores the platform-specific optional packages that `npm install` leaves out of
// package-lock.json on these machines.
//
// The registry proxy answers 404 for some prebuilt-binary packages (@biomejs/cli-darwin-*,
// @cbor-extract/*). `npm install` treats them as failed optional dependencies and writes no
// lock entry; `npm ci` then refuses the lockfile as "not in sync". The entries added here carry
// the package's os/cpu/libc so `npm ci` skips them on other platforms, and an optional package it
// cannot fetch on this one is dropped as npm drops any failed optional dependency.
// Run after every `npm install`: `node scripts/lockfile-platforms.mjs` (see docs/adr/008).
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

function platformOf(name) {
  const base = name.split('/').pop();
  const os = /android/.test(base)
    ? 'android'
    : /darwin/.test(base)
      ? 'darwin'
      : /win32/.test(base)
        ? 'win32'
        : /linux/.test(base)
          ? 'linux'
          : null;
  const cpu = /arm64/.test(base)
    ? 'arm64'
    : /x64/.test(base)
      ? 'x64'
      : /-arm$/.test(base)
        ? 'arm'
        : null;
  const libc = os === 'linux' ? (/musl/.test(base) ? 'musl' : 'glibc') : null;
  return { os, cpu, libc };
}

const added = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (packages[`node_modules/${dep}`] || packages[`${path}/node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os) continue; // not a platform package: a real gap the lockfile must show
    const record = { version: range.replace(/^[\^~]/, '') };
    if (entry.dev) record.dev = true;
    record.optional = true;
    if (cpu) record.cpu = [cpu];
    if (libc) record.libc = [libc];
    record.os = [os];
    packages[`node_modules/${dep}`] = record;
    added.push(dep);
  }
}

const byPath = ([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0);
lock.packages = Object.fromEntries(Object.entries(packages).sort(byPath));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(
  `${file}: ${added.length} platform package(s) restored${added.length ? `: ${added.join(', ')}` : ''}\n`,
);
