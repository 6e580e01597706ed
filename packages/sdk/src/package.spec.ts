import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const PACKAGE = resolve(__dirname, '..');
const ROOT = resolve(PACKAGE, '../..');
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, { types: string; default: string }>;
  dependencies: Record<string, string>;
  files: string[];
};

/** Every module the entry point reaches by relative import, with the bare imports of each. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]!);
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) {
      const target = [`${s}.ts`, `${s}/index.ts`].map((p) => resolve(dirname(file), p));
      const found = target.find(existsSync);
      if (!found) throw new Error(`${relative(ROOT, file)}: cannot resolve ${s}`);
      visit(found);
    }
  };
  visit(entry);
  return seen;
}

describe('the published package', () => {
  const modules = reachable(join(PACKAGE, 'src/index.ts'));

  it('needs nothing but node built-ins and the dependencies its package.json declares', () => {
    const builtins = new Set(builtinModules);
    const foreign = [...modules].flatMap(([file, bare]) =>
      bare
        .filter((s) => !s.startsWith('node:') && !builtins.has(s))
        .filter((s) => !(s in manifest.dependencies))
        .map((s) => `${relative(ROOT, file)} imports ${s}`),
    );
    expect(foreign).toEqual([]);
  });

  it('builds in only pure modules of the project, none of its apps', () => {
    const outside = [...modules.keys()]
      .map((file) => relative(ROOT, file))
      .filter((file) => !file.startsWith('packages/sdk/'));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((file) => file.startsWith('apps/'))).toEqual([]);
    expect(outside.filter((file) => !/^libs\/(crypto|evidence|letters)\/src\//.test(file))).toEqual(
      [],
    );
  });

  it('points main, types and exports where its tsconfig writes the entry point', () => {
    const out = 'dist/packages/sdk/src/index';
    expect(manifest.main).toBe(`./${out}.js`);
    expect(manifest.types).toBe(`./${out}.d.ts`);
    expect(manifest.exports['.']).toEqual({ types: `./${out}.d.ts`, default: `./${out}.js` });
    expect(manifest.files).toContain('dist');
  });
});
