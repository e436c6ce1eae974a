import type { EmailTemplate } from '../mail/templates.js';

/** The queues and what their jobs carry. `requestId` ties a job's log lines to its request. */
export const EMAIL_QUEUE = 'email';
export const ECHO_QUEUE = 'echo';
export const QUEUE_NAMES = [EMAIL_QUEUE, ECHO_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobContext {
  requestId?: string;
}

export interface SendEmailJob extends JobContext {
  to: string;
  content: EmailTemplate;
}

/** A password recovery request: the worker looks the address up and mails a reset link if it has an account. */
export interface PasswordResetJob extends JobContext {
  email: string;
}
export const PASSWORD_RESET_JOB = 'password-reset';

/** A verification email for a user's current address; the worker writes the link, if still unverified. */
export interface EmailVerificationJob extends JobContext {
  userId: string;
}
export const EMAIL_VERIFICATION_JOB = 'email-verification';

export interface EchoJob extends JobContext {
  message: string;
}
