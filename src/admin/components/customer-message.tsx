import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { useTexts } from './i18n';

const box = { border: '1px solid #C0C0CA', borderRadius: 4, background: 'white' } as const;
const heading = { fontSize: 13, color: '#6c6b80', margin: '16px 0 4px' } as const;

/**
 * A customer message as the customer received it (G5.5, issue 14 item 13): the subject, the plain text as their mail
 * client shows it (long links wrap), and the HTML rendered in a sandboxed frame (no scripts, no same-origin access).
 */
const CustomerMessage: React.FC<BasePropertyProps> = ({ record }) => {
  const { t } = useTexts();
  const params = record?.params ?? {};
  const sent = params.messageSent === true || params.messageSent === 'true';
  const isSms = params.channel === 'sms';
  return (
    <section data-testid="customer-message" style={{ marginBottom: 24 }}>
      <h3 style={{ fontSize: 16, fontWeight: 600, margin: '0 0 8px' }}>{t('messageView.title')}</h3>
      {sent ? null : <p data-testid="message-not-sent" style={{ color: '#a15c00', margin: '0 0 8px' }}>{t('messageView.notSent')}</p>}
      {params.messageError ? <p data-testid="message-error" style={{ color: '#b3261e' }}>{t('messageView.renderFailed', { error: String(params.messageError) })}</p> : null}
      <div style={heading}>{t('messageView.recipient')}</div>
      <div data-testid="message-recipient">{String(params.recipient ?? '')}</div>
      {params.messageSubject ? (
        <>
          <div style={heading}>{t('messageView.subject')}</div>
          <div data-testid="message-subject" style={{ fontWeight: 600 }}>{String(params.messageSubject)}</div>
        </>
      ) : null}
      {params.messageText ? (
        <>
          <div style={heading}>{isSms ? t('messageView.sms') : t('messageView.plainText')}</div>
          <pre data-testid="message-text" style={{ ...box, padding: 12, margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontFamily: 'inherit', fontSize: 14, maxWidth: 720 }}>
            {String(params.messageText)}
          </pre>
        </>
      ) : null}
      {params.messageHtml ? (
        <>
          <div style={heading}>{t('messageView.html')}</div>
          <iframe title={t('messageView.html')} sandbox="" srcDoc={String(params.messageHtml)} data-testid="message-html" style={{ ...box, width: '100%', maxWidth: 720, height: 560 }} />
        </>
      ) : null}
    </section>
  );
};

export default CustomerMessage;
