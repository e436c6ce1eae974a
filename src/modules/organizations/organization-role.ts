/** The roles of an organization's members, from most to least privileged. */
export const ORGANIZATION_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;

export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

const RANK: Record<OrganizationRole, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };

/** Whether `role` grants at least what `needed` does. */
export function roleAtLeast(role: OrganizationRole, needed: OrganizationRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** What each kind of action needs. */
export const NEEDED_ROLE = {
  read: 'viewer',
  writeItems: 'member',
  manage: 'admin',
  delete: 'owner',
} as const satisfies Record<string, OrganizationRole>;
