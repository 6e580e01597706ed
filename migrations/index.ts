import { InitialSchema1763900000000 } from './1763900000000-initial-schema';

/** In order; a migration is never edited once it has landed. */
export const MIGRATIONS = [InitialSchema1763900000000];
