export { ProblemFilter } from './problem.filter';
export { problem, problemSchema, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export { ZodPipe } from './zod-body';
export {
  RequestRateLimiter,
  type RateDecision,
  type RateLimitSettings,
  type RateLimitStore,
} from './rate-limit';
export { BodyReadError, bodySha256, jsonBody, type HashedBody } from './json-body';
