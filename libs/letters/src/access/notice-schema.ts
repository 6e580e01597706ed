import { z } from 'zod';
import { NOTICE_ACTIONS } from '#access';

export const NOTICES_MAX = 1_000;

const line = (max: number) => z.string().trim().min(1).max(max);
const time = z.iso.datetime({ offset: true });

/** One access notice (DESIGN "Access notices"): what happened to a person's data, and why. */
export const accessNoticeSchema = z
  .strictObject({
    nationalId: z.string().min(1).max(32),
    action: z.enum(NOTICE_ACTIONS),
    dataCategory: line(200),
    purpose: line(500),
    legalBasis: line(500),
    /** When it happened in the agency's system (not after now). */
    at: time,
    system: line(200).optional(),
    withheldUntil: time.optional(),
    withholdReason: line(1000).optional(),
  })
  .meta({ id: 'AccessNotice' });

export const accessNoticesSchema = z
  .strictObject({ notices: z.array(accessNoticeSchema).min(1).max(NOTICES_MAX) })
  .meta({ id: 'AccessNotices' });

export type AccessNotice = z.infer<typeof accessNoticeSchema>;
