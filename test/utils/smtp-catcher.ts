import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { setTimeout as sleep } from 'node:timers/promises';

/** A real SMTP server in the test process that keeps every message it receives. */
export class SmtpCatcher {
  readonly messages: ParsedMail[] = [];
  /** Set to make every delivery take this long (a slow mail server). */
  delayMs = 0;
  /** Deliveries that have started and not yet been accepted. */
  inFlight = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      this.inFlight++;
      simpleParser(stream)
        .then(async (mail) => {
          await sleep(this.delayMs);
          this.messages.push(mail);
          callback();
        })
        .catch(callback)
        .finally(() => this.inFlight--);
    },
  });
  port = 0;

  constructor() {
    // A sender killed mid-session (the worker tests SIGKILL one) resets its connection; the server
    // reports that as an error event, which would otherwise end the test process.
    this.server.on('error', () => undefined);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  /** What a worker (or an app's SMTP config) needs to send here. */
  env(): NodeJS.ProcessEnv {
    return {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.port),
      SMTP_TLS: 'false',
      SMTP_SSL: 'false',
      EMAILS_FROM_EMAIL: 'noreply@example.com',
    };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  to(address: string): ParsedMail[] {
    return this.messages.filter(
      (mail) => mail.to && JSON.stringify(mail.to).toLowerCase().includes(address.toLowerCase()),
    );
  }

  /** The first message to `address` (with a subject containing `subject`), waiting up to `withinMs`. */
  async waitFor(address: string, subject = '', withinMs = 5000): Promise<ParsedMail> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const mail = this.to(address).find((message) => (message.subject ?? '').includes(subject));
      if (mail) return mail;
      await sleep(50);
    }
    throw new Error(`no email to ${address} within ${withinMs} ms`);
  }
}
