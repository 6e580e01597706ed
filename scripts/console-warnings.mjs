// `npm start` keeps the console for its banner and what needs attention: this reads the API's
// and the worker's logs (pino JSON, through `tail -F`) and prints warnings, errors and anything
// that is not a log entry (a crash), one short line each. Everything else stays in var/log/.
import process from 'node:process';
import { createInterface } from 'node:readline';

const print = (text) => process.stdout.write(`${text}\n`);

const LEVELS = { 40: 'warning', 50: 'error', 60: 'fatal' };
let source = '';

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  // tail's header when it switches files: "==> var/log/worker.log <=="
  const header = /^==> .*\/(\w+)\.log <==$/.exec(line);
  if (header) {
    source = header[1];
    continue;
  }
  if (!line.trim()) continue;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    print(`[${source}] ${line}`);
    continue;
  }
  const level = LEVELS[entry?.level];
  if (!level) continue;
  const error = entry.err?.message ?? (typeof entry.err === 'string' ? entry.err : '');
  print(`[${source}] ${level}: ${entry.msg ?? ''}${error ? ` (${error})` : ''}`);
}
