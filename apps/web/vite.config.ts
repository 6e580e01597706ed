import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const API = process.env.POSTKASSE_API ?? 'http://127.0.0.1:3000';

/** The first load is index.html, the entry chunk, what it imports statically, and its CSS. */
export const FIRST_LOAD_BUDGET_GZIP = 200 * 1024;

function measureFirstLoad(): Plugin {
  let outDir = 'dist';
  return {
    name: 'postkasse-first-load-size',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      const files = new Set<string>(['index.html']);
      const visit = (name: string) => {
        const chunk = bundle[name];
        if (!chunk || chunk.type !== 'chunk' || files.has(name)) return;
        files.add(name);
        for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css);
        chunk.imports.forEach(visit);
      };
      Object.values(bundle)
        .filter((c) => c.type === 'chunk' && c.isEntry)
        .forEach((c) => visit(c.fileName));
      const sizes = [...files].map((file) => {
        const bytes = readFileSync(join(outDir, file));
        return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      });
      const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
      const lazy = Object.values(bundle)
        .filter((c) => !files.has(c.fileName) && c.fileName.endsWith('.js'))
        .map((c) => ({
          file: c.fileName,
          gzip: gzipSync(readFileSync(join(outDir, c.fileName)), { level: 9 }).length,
        }));
      const report = {
        firstLoadGzipBytes: total,
        budgetGzipBytes: FIRST_LOAD_BUDGET_GZIP,
        files: sizes,
        lazy,
      };
      writeFileSync(join(outDir, 'bundle-size.json'), JSON.stringify(report, null, 2));
      const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
      console.log(`\nFirst load: ${kb(total)} gzipped (budget ${kb(FIRST_LOAD_BUDGET_GZIP)})`);
      for (const s of sizes) console.log(`  ${s.file.padEnd(40)} ${kb(s.gzip)}`);
      for (const l of lazy) console.log(`  (lazy) ${l.file.padEnd(33)} ${kb(l.gzip)}`);
      if (total > FIRST_LOAD_BUDGET_GZIP) throw new Error('first load exceeds its size budget');
    },
  };
}

export default defineConfig({
  plugins: [react(), measureFirstLoad()],
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/v1': API, '/config.json': API },
  },
});
