export * from './metrics';
export * from './http-metrics';
export * from './pipeline-gauges';
export * from './metrics-server';
