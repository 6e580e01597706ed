import { Agency } from './agency.entity';
import { AgencySigningKeyRow } from './agency-signing-key.entity';
import { ApiKeyRow } from './api-key.entity';
import { DocumentRow } from './document.entity';
import { Letter } from './letter.entity';
import { Mailbox } from './mailbox.entity';

export { Agency, AgencySigningKeyRow, ApiKeyRow, DocumentRow, Letter, Mailbox };
export const ENTITIES = [Agency, AgencySigningKeyRow, ApiKeyRow, DocumentRow, Letter, Mailbox];
