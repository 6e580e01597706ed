export { ProblemFilter } from './problem.filter';
export { problem, problemSchema, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export { ZodPipe } from './zod-body';
export {
  RequestRateLimiter,
  type RateDecision,
  type RateLimitSettings,
  type RateLimitStore,
} from './rate-limit';
export { BodyReadError, bodySha256, jsonBody, streamedValues, type HashedBody } from './json-body';
export {
  BodySlots,
  SlotsBusyError,
  bodyIntake,
  type BodyIntakeOptions,
  type LargeBodyRoute,
} from './body-intake';
export { type StreamedString, type StringSink } from './json-stream';
