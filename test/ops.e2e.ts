import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSchema } from '#config';
import { ROOT } from './support/stack';

/**
 * The files for running Postkasse for real that no process here runs: the alert rules and the
 * Prometheus configuration (checked with Debian's promtool), and the compose file (no Docker
 * engine runs on these machines; Debian's docker-compose validates it), which must stay in step
 * with the scripts and the configuration schema. scripts/test.sh installs both tools.
 */
function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', input });
  if (result.error) throw new Error(`${command} is not installed: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** YAML as JSON through PyYAML, which Debian's docker-compose is built on. */
function yaml<T>(text: string): T {
  const json = run(
    'python3',
    ['-c', 'import sys,yaml,json; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    text,
  );
  return JSON.parse(json) as T;
}

interface Service {
  command?: string[] | string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  image?: string;
}

const PROMETHEUS = 'ops/prometheus';

describe('the Prometheus files', () => {
  it('pass promtool check rules and check config', () => {
    expect(run('promtool', ['check', 'rules', `${PROMETHEUS}/alerts.yml`])).toMatch(
      /SUCCESS: \d+ rules found/,
    );
    expect(run('promtool', ['check', 'config', `${PROMETHEUS}/prometheus.yml`])).toContain(
      'SUCCESS',
    );
  });

  it('fire the alerts their unit tests expect (promtool test rules)', () => {
    expect(run('promtool', ['test', 'rules', `${PROMETHEUS}/alerts.test.yml`])).toContain(
      'SUCCESS',
    );
  });

  it('has every alert documented in docs/operations.md', () => {
    const rules = yaml<{ groups: { rules: { alert: string }[] }[] }>(
      readFileSync(join(ROOT, PROMETHEUS, 'alerts.yml'), 'utf8'),
    );
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    const docs = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    expect(alerts.length).toBeGreaterThanOrEqual(5);
    for (const alert of alerts) expect(docs).toContain(`\`${alert}\``);
  });
});

describe('docker/compose.yaml', () => {
  const config = () =>
    yaml<{ services: Record<string, Service> }>(
      run('docker-compose', ['-f', 'docker/compose.yaml', 'config']),
    );
  const services = config().services;
  const APPS = ['migrate', 'api', 'worker'];

  it('is valid for docker-compose config, with the services the scripts start and Prometheus', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'maildev',
      'migrate',
      'postgres',
      'prometheus',
      'redis',
      'worker',
    ]);
  });

  it('runs the processes scripts/start.sh runs, with the same commands', () => {
    const start = readFileSync(join(ROOT, 'scripts/start.sh'), 'utf8');
    const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
    const commands = [...start.matchAll(/^node (dist\/apps\/\S+\/main\.js(?: db migrate)?)/gm)].map(
      (m) => m[1],
    );
    expect(commands).toEqual(
      expect.arrayContaining(['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js']),
    );
    const composed = APPS.map((name) => {
      const command = services[name].command;
      // A service without a command runs the image's CMD.
      return command === undefined ? dockerfile : [command].flat().join(' ');
    }).join('\n');
    for (const command of commands) expect(composed).toContain(command);
  });

  it('sets only variables the configuration schema knows, and those the scripts set', () => {
    const known = new Set(Object.keys(environmentSchema.shape));
    for (const name of APPS) {
      const variables = Object.keys(services[name].environment ?? {});
      expect(variables.length).toBeGreaterThan(5);
      expect(variables.filter((v) => !known.has(v))).toEqual([]);
    }
    // What the scripts export for the processes, the compose file (or the image) sets as well.
    const scripts = ['scripts/lib.sh', 'scripts/start.sh']
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    const exported = [...new Set([...scripts.matchAll(/export ([A-Z_]+)=/g)].map((m) => m[1]))];
    const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
    expect(exported).toEqual(expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'SMTP_URL']));
    for (const variable of exported) {
      const set = APPS.every((name) => variable in (services[name].environment ?? {}));
      expect({ variable, set: set || dockerfile.includes(`ENV ${variable}=`) }).toEqual({
        variable,
        set: true,
      });
    }
  });

  it('has Prometheus scrape the API and the worker where they listen, with the alert rules', () => {
    const prometheus = services.prometheus;
    expect(prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(prometheus.volumes?.some((v) => v.split(':')[0] === join(ROOT, PROMETHEUS))).toBe(true);
    const scrape = yaml<{ scrape_configs: { static_configs: { targets: string[] }[] }[] }>(
      readFileSync(join(ROOT, PROMETHEUS, 'prometheus.yml'), 'utf8'),
    );
    const targets = scrape.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets),
    );
    const defaults = environmentSchema.parse({ NODE_ENV: 'production' });
    const port = (name: string, variable: 'PORT' | 'WORKER_METRICS_PORT') =>
      Number(services[name].environment?.[variable] ?? defaults[variable]);
    expect(targets.sort()).toEqual([
      `api:${port('api', 'PORT')}`,
      `worker:${port('worker', 'WORKER_METRICS_PORT')}`,
    ]);
    // The worker's listener must be reachable from Prometheus's container.
    expect(services.worker.environment?.HOST).toBe('0.0.0.0');
  });
});
