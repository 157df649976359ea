import type { DataSource } from 'typeorm';
import type { SmsMessage, SmsProvider } from './sms-provider';

/** Development and tests: messages are kept in the captured_sms table (shown in the admin) instead of leaving. */
export class CaptureSmsProvider implements SmsProvider {
  readonly name = 'capture';

  constructor(private readonly db: DataSource) {}

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    await this.db.query(`INSERT INTO captured_sms (recipient, text, message_id) VALUES ($1, $2, $3)`, [message.to, message.text, message.messageId]);
    return { messageId: message.messageId };
  }
}
