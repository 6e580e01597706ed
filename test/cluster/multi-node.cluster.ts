import { clusterScenario } from './support/scenario';

/** `npm run test:cluster`: the full scenario; CLUSTER_LETTERS and CLUSTER_CLIENTS set the load. */
jest.setTimeout(10 * 60_000);

clusterScenario({
  letters: Number(process.env.CLUSTER_LETTERS ?? 300),
  clients: Number(process.env.CLUSTER_CLIENTS ?? 12),
});
