export * from './principals';
export { ApiKeyAuthenticator, generateApiKey, hashApiKey, looksLikeApiKey } from './api-keys';
export { OidcVerifier, InvalidTokenError, type OidcSettings } from './oidc-verifier';
export { issueDevAccessToken } from './dev-tokens';
export { administeredOrganisations, administratorClaim } from './organisation-roles';
export {
  AuthGuard,
  Public,
  ForAgency,
  ForCitizen,
  ForAuditor,
  CurrentPrincipal,
  requirementOf,
  type Requirement,
  authenticateAgency,
  authenticatePerson,
} from './auth.guard';
