import { DomainError } from '../../common/errors/domain-error.js';

export const NOT_AUTHENTICATED = 'Not authenticated';
export const INVALID_CREDENTIALS = 'Could not validate credentials';
export const INACTIVE_USER = 'Inactive user';
export const INCORRECT_LOGIN = 'Incorrect email or password';

/** No credentials at all. */
export class MissingCredentialsError extends DomainError {
  constructor() {
    super(401, NOT_AUTHENTICATED);
  }
}

/** Credentials given but not honoured: bad, tampered, expired, revoked, or of a deleted user. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super(401, INVALID_CREDENTIALS);
  }
}

export class InactiveUserError extends DomainError {
  constructor(status = 403) {
    super(status, INACTIVE_USER);
  }
}
