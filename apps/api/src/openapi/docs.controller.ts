import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '#auth';
import { buildOpenApiDocument } from './document';

const SWAGGER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postkasse API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

@Controller()
@Public()
export class DocsController {
  private readonly document = buildOpenApiDocument('/');

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
