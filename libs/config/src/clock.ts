import { readFileSync } from 'node:fs';
import type { AppConfig } from './app-config';

/** Where "now" comes from for what depends on the date (withholding, access notifications). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Test-only: "now" is the RFC 3339 time in `path`, read at every call, so an end-to-end test
 * moves the API's and the worker's time together by writing one file; real time while the
 * file is absent or empty. `loadConfig` refuses it in production.
 */
export function fileClock(path: string): Clock {
  return {
    now: () => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8').trim();
      } catch {
        return new Date();
      }
      if (text === '') return new Date();
      const at = new Date(text);
      if (Number.isNaN(at.getTime())) throw new Error(`${path} does not hold a time: ${text}`);
      return at;
    },
  };
}

export function clockOf(config: Pick<AppConfig, 'env' | 'testClockFile'>): Clock {
  if (config.testClockFile === null) return systemClock;
  if (config.env === 'production') throw new Error('a test clock is refused in production');
  return fileClock(config.testClockFile);
}
