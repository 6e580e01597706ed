export type { AppConfig } from './app-config';
export { loadConfig, localApiUrl, readListenAddress, ConfigError } from './load-config';
export { environmentSchema } from './schema';
export const APP_CONFIG = Symbol('APP_CONFIG');
export { clockOf, fileClock, systemClock, type Clock } from './clock';
