import { clusterScenario } from './support/scenario';

/**
 * The short version of `npm run test:cluster` that `npm test` runs: the same layout, flow and
 * faults, under a lighter load (about a minute and a half, most of it the killed worker's jobs
 * waiting for BullMQ's stalled-job check).
 */
jest.setTimeout(5 * 60_000);

clusterScenario({ letters: 60, clients: 8 });
