export * from './templates';
export { escapeHtml, singleLine } from './html';
export { parseQuietHours, quietHoursEnd, type QuietHours } from './quiet-hours';
export {
  createMailSender,
  smtpOptions,
  classifySmtpError,
  redactAddresses,
  type MailSender,
  type MailTransportSettings,
  type OutgoingEmail,
  type SmtpFailure,
} from './smtp-transport';
export {
  LetterNotifications,
  type NotificationOutcome,
  type NotificationSettings,
} from './letter-notifications';
export { EmailConfirmations, type ConfirmationSettings } from './email-confirmations';
export { NotificationReconciler } from './notification-reconciler';
export { AccessLogNotifications, type AccessNotificationSettings } from './access-notifications';
