import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Public } from '#auth';
import { Undocumented } from './route';

/** The document built from the API's controllers (app.module), served as is. */
export const OPENAPI_DOCUMENT = Symbol('OpenAPI document');

const SWAGGER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postkasse API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

@Controller()
@Public()
@Undocumented()
export class DocsController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {}

  @Get('openapi.json')
  openapi() {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page() {
    return SWAGGER_PAGE;
  }

  @Get('docs/assets/init.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  init() {
    return `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });`;
  }
}
