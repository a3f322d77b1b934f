/**
 * @module vite.config
 * The wallet's build: React, the `@openmid/source` condition (workspace packages from source),
 * and the service worker as a second entry (`/sw.js`, not hashed: its URL is its identity) whose
 * precache list — every hashed asset, the shell and the public files — is written into it at
 * build time, so that an installed wallet starts without a network.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

function publicFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== 'robots.txt') out.push(`/${relative(dir, p).split('\\').join('/')}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Write the precache list and a version into the service worker chunk. */
function serviceWorkerManifest(): Plugin {
  return {
    name: 'openmid-sw-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      const sw = Object.values(bundle).find(
        (f) => f.type === 'chunk' && f.isEntry && f.name === 'sw',
      );
      if (sw === undefined || sw.type !== 'chunk') return;
      const assets = Object.keys(bundle)
        .filter((f) => f !== sw.fileName && !f.endsWith('.map'))
        .map((f) => (f === 'index.html' ? '/' : `/${f}`));
      // `/` is the shell every route serves (index.html is emitted after this hook runs).
      const files = [...new Set(['/', ...assets, ...publicFiles(join(here, 'public'))])].sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      sw.code = `self.__OPENMID_PRECACHE__=${JSON.stringify(files)};self.__OPENMID_VERSION__=${JSON.stringify(version)};\n${sw.code}`;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), serviceWorkerManifest()],
  resolve: {
    conditions: ['@openmid/source', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // The initial bundle is measured gzip by bench/wallet (target < 250 kB); raw sizes mislead.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: { main: join(here, 'index.html'), sw: join(here, 'src/sw.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
