import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfig, emailEnabled } from '../../config/app-config.js';
import { inSpan } from '../../telemetry/tracing.js';
import { type EmailTemplate, renderEmail } from './templates.js';

export interface OutgoingEmail {
  to: string;
  content: EmailTemplate;
  /** Stable per job, so a retried send can be recognised downstream. */
  messageId?: string;
}

/** SMTP delivery through nodemailer; used by the worker only (requests enqueue emails). */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private transport?: Transporter;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return emailEnabled(this.config);
  }

  async send(email: OutgoingEmail): Promise<string> {
    if (!this.enabled) throw new Error('email is not configured (SMTP_HOST and EMAILS_FROM_EMAIL)');
    const { subject, html, text } = renderEmail(email.content);
    // No instrumentation covers nodemailer: the send is a span of its own when tracing.
    const info = await inSpan('smtp send', 'client', () =>
      this.smtp().sendMail({
        from: { name: this.config.smtp.fromName, address: this.config.smtp.fromEmail! },
        to: email.to,
        subject,
        html,
        text,
        messageId: email.messageId,
      }),
    );
    this.logger.log(`sent "${subject}" to ${email.to} (${info.messageId})`);
    return info.messageId;
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  private smtp(): Transporter {
    const { host, port, ssl, tls, user, password } = this.config.smtp;
    this.transport ??= nodemailer.createTransport({
      host: host!,
      port,
      // SMTP_SSL: TLS from the first byte; SMTP_TLS: upgrade with STARTTLS, required.
      secure: ssl,
      requireTLS: !ssl && tls,
      ignoreTLS: !ssl && !tls,
      auth: user ? { user, pass: password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return this.transport;
  }
}
