export { WebhookRegistry, type WebhookView } from './webhook-registry';
export {
  DeliverWebhook,
  WebhookAttemptFailed,
  type WebhookDeliveryPolicy,
} from './deliver-webhook';
export { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';
export { assertWebhookUrl, refusedTarget, isForbiddenAddress } from './webhook-target';
