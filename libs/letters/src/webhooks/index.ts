export { WebhookRegistry, type WebhookView } from './webhook-registry';
export {
  DeliverWebhook,
  WebhookAttemptFailed,
  type WebhookDeliveryPolicy,
} from './deliver-webhook';
export { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';
export {
  assertWebhookUrl,
  checkTarget,
  isForbiddenAddress,
  systemResolver,
  type Resolver,
} from './webhook-target';
export { WEBHOOK_EVENTS } from '#stores';
