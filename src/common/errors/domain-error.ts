/**
 * The `detail` text of every expected failure, by code, word for word as the API contract gives
 * it: clients (the template's web client among them) match on these texts. The HTTP status of
 * each code is HttpErrorFilter's business (`DOMAIN_ERROR_STATUS`).
 */
export const DETAIL = {
  // Credentials
  NOT_AUTHENTICATED: 'Not authenticated',
  INVALID_CREDENTIALS: 'Could not validate credentials',
  /** The caller's own account is deactivated (403). */
  INACTIVE_USER: 'Inactive user',
  /** The same text, for an account a login or a reset link names (400, as the contract has it). */
  INACTIVE_ACCOUNT: 'Inactive user',
  INCORRECT_LOGIN: 'Incorrect email or password',
  INCORRECT_PASSWORD: 'Incorrect password',
  SAME_PASSWORD: 'New password cannot be the same as the current one',
  INVALID_TOKEN: 'Invalid token',
  /** A one-time code of single sign-on that is unknown, used or expired. */
  INVALID_CODE: 'Invalid code',
  /** Password login of an unverified account while EMAIL_VERIFICATION_REQUIRED is on (403). */
  EMAIL_NOT_VERIFIED: 'Email not verified',
  EMAIL_ALREADY_VERIFIED: 'Email already verified',
  /** A first single sign-on whose email has no account, with OIDC_AUTO_CREATE off. */
  NO_ACCOUNT_FOR_IDENTITY: 'No account for this identity',
  LAST_SIGN_IN_METHOD: 'An account without a password must keep at least one linked identity',
  SESSION_REQUIRED: 'This action needs a password login, not an API key',
  READ_ONLY_API_KEY: 'This API key is read-only',
  CROSS_SITE_REFUSED: 'Cross-site request refused',
  // Privileges
  NOT_ENOUGH_PRIVILEGES: "The user doesn't have enough privileges",
  NOT_ENOUGH_PERMISSIONS: 'Not enough permissions',
  SUPERUSER_SELF_DELETE: 'Super users are not allowed to delete themselves',
  REGISTRATION_CLOSED: 'Open user registration is forbidden on this server',
  /** A member's role in an organization is too low for the action. */
  ORGANIZATION_ROLE_TOO_LOW: 'Not enough privileges',
  INVITATION_FOR_ANOTHER_EMAIL: 'This invitation is for another email address',
  // Attempt limits
  TOO_MANY_LOGIN_FAILURES: 'Too many failed login attempts, please try again later',
  TOO_MANY_PASSWORD_FAILURES: 'Too many failed password attempts, please try again later',
  TOO_MANY_RECOVERY_REQUESTS: 'Too many password recovery requests, please try again later',
  TOO_MANY_API_KEY_FAILURES: 'Too many failed API key attempts, please try again later',
  TOO_MANY_VERIFICATION_REQUESTS: 'Too many verification emails requested, please try again later',
  TOO_MANY_SIGN_IN_STARTS: 'Too many sign-ins started, please try again later',
  // Not found
  NOT_FOUND: 'Not Found',
  /** A feature module's own records (generated modules use it): "<Resource> not found". */
  RESOURCE_NOT_FOUND: (resource: string) => `${resource} not found`,
  USER_NOT_FOUND: 'User not found',
  /** The routes that take a user id say it this way (FastAPI's wording), the others as above. */
  NO_SUCH_USER_ID: 'The user with this id does not exist in the system',
  NO_SUCH_USERNAME: 'The user with this username does not exist in the system.',
  ITEM_NOT_FOUND: 'Item not found',
  API_KEY_NOT_FOUND: 'API key not found',
  JOB_NOT_FOUND: 'Job not found',
  /** Also what a non-member is told: an organization's existence is not revealed. */
  ORGANIZATION_NOT_FOUND: 'Organization not found',
  MEMBER_NOT_FOUND: 'Member not found',
  INVITATION_NOT_FOUND: 'Invitation not found',
  PROVIDER_NOT_FOUND: 'Provider not found',
  IDENTITY_NOT_FOUND: 'Identity not found',
  // Conflicts. The three "email taken" texts differ on purpose, by a full stop and in wording:
  // each is what the contract gives for its route (create by a superuser, signup, update).
  EMAIL_TAKEN_ON_CREATE: 'The user with this email already exists in the system.',
  EMAIL_TAKEN_ON_SIGNUP: 'The user with this email already exists in the system',
  EMAIL_TAKEN_ON_UPDATE: 'User with this email already exists',
  /** Names MAX_KEYS_PER_USER of the api-keys module. */
  TOO_MANY_API_KEYS: 'A user can have at most 100 API keys',
  LAST_OWNER: 'An organization needs at least one owner',
  ALREADY_A_MEMBER: 'Already a member',
  INVALID_INVITATION: 'Invalid invitation',
  // Outages
  QUEUE_UNAVAILABLE: 'Queue unavailable',
  /** Redis, which holds what the request needs (a sign-in's one-time code), is unreachable. */
  REDIS_UNAVAILABLE: 'Service Unavailable',
} as const;

export type DomainErrorCode = keyof typeof DETAIL;

/**
 * An expected failure, named by its code. Services throw these; the global filter gives each
 * code its status and text, so services never depend on HTTP.
 */
export class DomainError extends Error {
  readonly detail: string;

  constructor(
    readonly code: DomainErrorCode,
    readonly context: {
      /** When trying again makes sense (an exhausted limit, an outage). */
      retryAfterSeconds?: number;
      /** What RESOURCE_NOT_FOUND names. */
      resource?: string;
    } = {},
  ) {
    const text = DETAIL[code];
    const detail = typeof text === 'function' ? text(context.resource ?? 'Resource') : text;
    super(detail);
    this.name = 'DomainError';
    this.detail = detail;
  }
}
