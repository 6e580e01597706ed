import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '#errors';

/** `notices[3].action`: where in the body, as a client's code would write it. */
function where(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`))
    .join('');
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.length > 0 ? where(i.path) : 'body';
      if (i.code === 'unrecognized_keys') return `${path}: unknown field(s) ${i.keys.join(', ')}`;
      return `${path}: ${i.message}`;
    })
    .join('; ');
}

/** Validates at the edge, once; unknown fields are refused by the strict schemas. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    readonly schema: S,
    readonly where: 'body' | 'query' = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? (this.where === 'body' ? undefined : {}));
    if (!parsed.success) {
      throw new DomainError(400, `request.invalid_${this.where}`, describe(parsed.error.issues), {
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    return parsed.data;
  }
}
