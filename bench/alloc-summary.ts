/**
 * What a V8 sampling heap profile (`.heapprofile`) says was allocated, per request: by package,
 * counted once per package on the stack (so a library's total includes what Node did for it),
 * and by the function that allocated.
 */

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface SamplingHeapProfile {
  head: HeapNode;
}

function packageOf(url: string): string | null {
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/dist/')) return 'postkasse';
  return null;
}

export function summarizeAllocations(profile: SamplingHeapProfile, requests: number, top = 25) {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode, packages: Set<string>) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url);
    const onStack = pkg && !packages.has(pkg) ? new Set([...packages, pkg]) : packages;
    if (node.selfSize > 0) {
      total += node.selfSize;
      for (const p of onStack.size ? onStack : ['(node and V8 only)'])
        byPackage.set(p, (byPackage.get(p) ?? 0) + node.selfSize);
      const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/');
      const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child, onStack);
  };
  visit(profile.head, new Set());
  const kb = (bytes: number) => `${(bytes / requests / 1024).toFixed(1).padStart(7)} KB`;
  const show = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${kb(v)}  ${k}`)
      .join('\n');
  return [
    `allocated per request: ${kb(total).trim()} (${(total / 1024 / 1024).toFixed(1)} MB over ${requests} requests)`,
    `\nby package on the stack (a request counts in every package it passes through):\n${show(byPackage, 15)}`,
    `\nby allocating function:\n${show(byFunction, top)}`,
  ].join('\n');
}
