/**
 * What the audit log records (G3.3, issue 11 item 2), as `area.verb`. README "Security" lists them with what each
 * entry's details hold; an entry never holds a password, a token or a key.
 */
export const AUDIT_ACTIONS = [
  // sign-in and sessions (the API and the admin's login form)
  'auth.login', 'auth.login_failed', 'auth.logout', 'auth.password_change',
  // people and what they may do
  'user.create', 'user.update', 'user.password_reset',
  'role.create', 'role.update', 'role.delete',
  'api_key.create', 'api_key.revoke',
  // configuration
  'settings.update', 'notification_template.update', 'notification_template.revert',
  // recorded by the areas that own them (wired by their modules through AuditService.record)
  'workflow.deploy', 'workflow.start', 'workflow.migrate', 'workflow.incident_retry', 'migration.run', 'aftersales.refund',
  'backup.create', 'backup.verify', 'backup.download', 'backup.restore', 'backup.delete', 'backup.failed',
  // connectors (issue 15): the details name the secrets changed, never their values
  'integration.create', 'integration.update', 'integration.delete', 'integration.push.retry', 'integration.replay',
  // stock sync (issue 15 item 2): a full resync queued
  'integration.stock_resync',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
