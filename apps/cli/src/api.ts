import { existsSync, readFileSync } from 'node:fs';
import { localApiUrl, readListenAddress } from '#config';
import { describeFailure, NetworkError, PostkasseError, type ClientOptions } from '#sdk';
import { CliError } from './context';

/** Written by `npm start` while its API runs, so that a CLI in another terminal finds it. */
export const API_STATE_FILE = 'var/run/api.json';

export interface ApiLocation {
  url: string;
  /** Where the address came from, for error messages. */
  source: string;
}

export const API_RULE =
  '--api URL, else POSTKASSE_API, else the API `npm start` runs (var/run/api.json), else http://HOST:PORT from .env and the environment';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fromStateFile(): string | null {
  if (!existsSync(API_STATE_FILE)) return null;
  try {
    const state = JSON.parse(readFileSync(API_STATE_FILE, 'utf8')) as {
      url?: unknown;
      pid?: unknown;
    };
    if (typeof state.url !== 'string' || typeof state.pid !== 'number') return null;
    // Left behind by an `npm start` that did not get to clean up.
    return alive(state.pid) ? state.url : null;
  } catch {
    return null;
  }
}

/**
 * The one rule for where the API is, used by every command that talks to it and printed by
 * `npm start`: an explicit --api, POSTKASSE_API, the API `npm start` is running, or the address
 * the API itself would listen on with this shell's configuration.
 */
export function locateApi(explicit?: string): ApiLocation {
  const found = givenOrRecorded(explicit) ?? {
    url: localApiUrl(readListenAddress()),
    source: 'HOST and PORT from .env and the environment',
  };
  if (!URL.canParse(found.url) || !/^https?:$/.test(new URL(found.url).protocol))
    throw new CliError(`${found.source}: "${found.url}" is not an http(s) URL`);
  return { ...found, url: found.url.replace(/\/+$/, '') };
}

function givenOrRecorded(option?: string): ApiLocation | null {
  if (option) return { url: option, source: '--api' };
  const env = process.env.POSTKASSE_API;
  if (env) return { url: env, source: 'POSTKASSE_API' };
  const started = fromStateFile();
  return started ? { url: started, source: `${API_STATE_FILE}, written by npm start` } : null;
}

/** The one line for an API that did not answer, naming where its address came from. */
export function unreachable(location: ApiLocation, reason: string): CliError {
  return new CliError(
    `cannot reach the API at ${location.url} (${location.source}): ${reason}; is it running (npm start)? Point elsewhere with --api URL or POSTKASSE_API`,
  );
}

/** The SDK's failures as the CLI's one-line errors (exit 1); anything else as it is. */
export function asCliError(error: unknown, location: ApiLocation): unknown {
  if (error instanceof NetworkError) return unreachable(location, error.reason);
  if (error instanceof PostkasseError) return new CliError(error.message);
  return error;
}

/** The SDK's client options for a command run at a terminal. */
export function terminalClient(location: ApiLocation, apiKey: string): ClientOptions {
  // Three attempts: someone at a terminal would rather see a failure soon than wait it out.
  return { baseUrl: location.url, apiKey, retry: { maxAttempts: 3 } };
}

/** HTTP to the located API; a network failure or an error answer becomes one line. */
export class Api {
  constructor(readonly location: ApiLocation) {}

  get url(): string {
    return this.location.url;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw unreachable(this.location, cause?.code ?? cause?.message ?? (error as Error).message);
    }
  }

  /** The answer's JSON; any status but 2xx is a one-line error. */
  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.request(path, init);
    const text = await response.text();
    if (!response.ok)
      throw new CliError(
        `${init.method ?? 'GET'} ${path}: ${describeFailure(response.status, text)}`,
      );
    return JSON.parse(text) as T;
  }

  /** The platform's OpenPGP key, which agencies encrypt to. */
  async platformKey(): Promise<string> {
    const keys = await this.json<{ openpgp: { publicKey: string } }>('/v1/platform/keys');
    return keys.openpgp.publicKey;
  }

  /** A failure answer as one line, for commands that read the response themselves. */
  static failure(response: Response, body: string): string {
    return describeFailure(response.status, body);
  }
}
