import { Controller, Get } from '@nestjs/common';
import { Public } from '#auth';
import { AgencyDirectory } from '#letters';
import { Route } from '../openapi/route';
import { agencyDirectorySchema } from '../replies.schemas';

@Controller('v1/agencies')
export class AgenciesController {
  constructor(private readonly directory: AgencyDirectory) {}

  /** Public, and so counted against the client address as every anonymous request is. */
  @Get()
  @Public()
  @Route({
    summary: 'The directory of agencies: encryption keys, whether they take messages, topics',
    tag: 'platform',
    responses: { 200: { description: 'Agencies, by name', schema: agencyDirectorySchema } },
  })
  list() {
    return this.directory.list();
  }
}
