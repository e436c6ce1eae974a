import { NEEDED_ROLE, ORGANIZATION_ROLES, roleAtLeast } from './organization-role.js';

describe('organization roles', () => {
  it('rank owner > admin > member > viewer', () => {
    const granted = ORGANIZATION_ROLES.map((role) => ORGANIZATION_ROLES.filter((needed) => roleAtLeast(role, needed)));
    expect(granted).toEqual([
      ['owner', 'admin', 'member', 'viewer'],
      ['admin', 'member', 'viewer'],
      ['member', 'viewer'],
      ['viewer'],
    ]);
  });

  it('let viewers read, members write items, admins manage and owners delete', () => {
    expect(NEEDED_ROLE).toEqual({ read: 'viewer', writeItems: 'member', manage: 'admin', delete: 'owner' });
  });
});
