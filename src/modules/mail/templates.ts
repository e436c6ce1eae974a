/** The emails the product sends, each as a subject, an HTML body and a plain-text body. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export type EmailTemplate =
  | { template: 'test'; projectName: string; to: string }
  | { template: 'new-account'; projectName: string; email: string; loginLink: string }
  | { template: 'password-reset'; projectName: string; email: string; resetLink: string; validHours: number }
  | { template: 'email-verification'; projectName: string; email: string; verifyLink: string; validHours: number }
  | {
      template: 'invitation';
      projectName: string;
      organizationName: string;
      role: string;
      inviter: string;
      acceptLink: string;
      validHours: number;
    };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, paragraphs: string[], action?: { label: string; href: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join('\n        ');
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.href)}" style="background:#009688;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(action.label)}</a></p>
        <p style="margin:0 0 16px;font-size:13px;color:#555">Or open this link: <a href="${escapeHtml(action.href)}">${escapeHtml(action.href)}</a></p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
  <head><meta charset="utf-8" /><title>${escapeHtml(title)}</title></head>
  <body style="font-family:Arial,Helvetica,sans-serif;color:#222;max-width:560px;margin:0 auto;padding:24px">
        <h1 style="font-size:20px">${escapeHtml(title)}</h1>
        ${body}
        ${button}
  </body>
</html>
`;
}

export function renderEmail(email: EmailTemplate): RenderedEmail {
  switch (email.template) {
    case 'test':
      return {
        subject: `${email.projectName} - Test email`,
        html: layout(email.projectName, [`Test email for: ${escapeHtml(email.to)}`]),
        text: `${email.projectName}\n\nTest email for: ${email.to}\n`,
      };
    case 'new-account':
      return {
        subject: `${email.projectName} - New account for user ${email.email}`,
        html: layout(
          `Welcome to ${email.projectName}`,
          [`An account was created for you with the username <strong>${escapeHtml(email.email)}</strong>.`],
          {
            label: 'Go to the dashboard',
            href: email.loginLink,
          },
        ),
        text: `Welcome to ${email.projectName}\n\nAn account was created for you with the username ${email.email}.\nLog in at: ${email.loginLink}\n`,
      };
    case 'password-reset':
      return {
        subject: `${email.projectName} - Password recovery for user ${email.email}`,
        html: layout(
          `${email.projectName} - Password recovery`,
          [
            `We received a request to recover the password for user <strong>${escapeHtml(email.email)}</strong>.`,
            `Reset your password by clicking the button below. The link is valid for ${email.validHours} hours and works once.`,
            "If you didn't request a password recovery, you can ignore this email.",
          ],
          { label: 'Reset password', href: email.resetLink },
        ),
        text:
          `${email.projectName} - Password recovery\n\n` +
          `We received a request to recover the password for user ${email.email}.\n` +
          `Reset it within ${email.validHours} hours (the link works once):\n${email.resetLink}\n\n` +
          "If you didn't request a password recovery, you can ignore this email.\n",
      };
    case 'email-verification':
      return {
        subject: `${email.projectName} - Verify your email ${email.email}`,
        html: layout(
          `${email.projectName} - Verify your email`,
          [
            `Confirm that <strong>${escapeHtml(email.email)}</strong> is your address by clicking the button below.`,
            `The link is valid for ${email.validHours} hours and works once.`,
            "If you didn't create an account or change your email, you can ignore this email.",
          ],
          { label: 'Verify email', href: email.verifyLink },
        ),
        text:
          `${email.projectName} - Verify your email\n\n` +
          `Confirm that ${email.email} is your address within ${email.validHours} hours (the link works once):\n${email.verifyLink}\n\n` +
          "If you didn't create an account or change your email, you can ignore this email.\n",
      };
    case 'invitation':
      return {
        subject: `${email.projectName} - Invitation to ${email.organizationName}`,
        html: layout(
          `Join ${email.organizationName}`,
          [
            `${escapeHtml(email.inviter)} invited you to <strong>${escapeHtml(email.organizationName)}</strong> on ${escapeHtml(email.projectName)} as ${escapeHtml(email.role)}.`,
            `The link is valid for ${email.validHours} hours and works once. Log in (or sign up) with this email address to accept.`,
          ],
          { label: 'Accept the invitation', href: email.acceptLink },
        ),
        text:
          `Join ${email.organizationName}\n\n` +
          `${email.inviter} invited you to ${email.organizationName} on ${email.projectName} as ${email.role}.\n` +
          `Accept within ${email.validHours} hours (the link works once), logged in with this email address:\n${email.acceptLink}\n`,
      };
  }
}
