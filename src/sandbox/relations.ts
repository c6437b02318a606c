/**
 * Which objects belong to an account or an organization, for the nested lists
 * (`/accounts/:id/users`, `/organizations/:id/notes`...). Vitally documents the
 * routes, not how it decides membership; the sandbox's rules are in docs/sandbox.md:
 * an object belongs to an account when one of its links names the account's Vitally
 * id, and to an organization when one names the organization or one of its accounts.
 */
import type { Store, StoredObject } from './store';

/** The Vitally ids an object is linked to. */
interface Links {
  accounts: unknown[];
  organizations: unknown[];
}

/** Resources listed under a parent account or organization. */
export const NESTED_UNDER_PARENTS = [
  'users',
  'notes',
  'tasks',
  'projects',
  'meetings',
  'conversations',
  'npsResponses',
] as const;
export type NestedResource = (typeof NESTED_UNDER_PARENTS)[number];

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

const direct = (o: StoredObject): Links => ({
  accounts: [...asList(o.accountId), ...asList(o.accountIds)],
  organizations: [...asList(o.organizationId), ...asList(o.organizationIds)],
});

const merge = (all: Links[]): Links => ({
  accounts: all.flatMap((l) => l.accounts),
  organizations: all.flatMap((l) => l.organizations),
});

/** The parent's Vitally id, and for an organization the ids of its accounts too. */
export interface Scope {
  accounts: Set<string>;
  organizations: Set<string>;
}

export function accountScope(account: StoredObject): Scope {
  return { accounts: new Set([account.id]), organizations: new Set() };
}

export function organizationScope(store: Store, organization: StoredObject): Scope {
  const accounts = store
    .get('accounts')!
    .values()
    .filter((a) => a.organizationId === organization.id)
    .map((a) => a.id);
  return { accounts: new Set(accounts), organizations: new Set([organization.id]) };
}

/**
 * A filter for one nested resource under `scope`. Links by resource:
 * users: accountIds, organizationIds; notes, tasks: accountId, organizationId;
 * projects: accountId (or the older customerId), organizationId; NPS responses: those
 * of their user (userId); meetings: those of the users their participants name
 * (userId as the user's externalId or Vitally id, or email); conversations: those of
 * the users their messages name (from, to, cc, bcc of type user, by Vitally id).
 * Any object's own accountId or organizationId fields count as well.
 */
export function memberOf(store: Store, resource: NestedResource, scope: Scope): (o: StoredObject) => boolean {
  const links = linksOf(store, resource);
  return (o) => {
    const l = links(o);
    return (
      l.accounts.some((id) => scope.accounts.has(String(id))) ||
      l.organizations.some((id) => scope.organizations.has(String(id)))
    );
  };
}

function linksOf(store: Store, resource: NestedResource): (o: StoredObject) => Links {
  const users = store.get('users')!;
  const userLinks = (id: unknown): Links => {
    const user = typeof id === 'string' ? users.find(id) : undefined;
    return user ? direct(user) : { accounts: [], organizations: [] };
  };
  switch (resource) {
    case 'projects':
      return (o) => merge([direct(o), { accounts: asList(o.customerId), organizations: [] }]);
    case 'npsResponses':
      return (o) => merge([direct(o), userLinks(o.userId)]);
    case 'meetings': {
      const byEmail = new Map<string, StoredObject>();
      for (const u of users.values()) if (typeof u.email === 'string') byEmail.set(u.email.toLowerCase(), u);
      return (o) =>
        merge([
          direct(o),
          ...asList(o.participants).map((p) => {
            const participant = (p ?? {}) as Record<string, unknown>;
            if (typeof participant.userId === 'string') return userLinks(participant.userId);
            const user =
              typeof participant.email === 'string' ? byEmail.get(participant.email.toLowerCase()) : undefined;
            return user ? direct(user) : { accounts: [], organizations: [] };
          }),
        ]);
    }
    case 'conversations': {
      const messages = store.get('messages')!.values();
      return (o) =>
        merge([
          direct(o),
          ...messages
            .filter((m) => m.conversationId === o.id)
            .flatMap((m) => [m.from, ...asList(m.to), ...asList(m.cc), ...asList(m.bcc)])
            .map((p) => p as Record<string, unknown> | null)
            .filter((p) => p?.type === 'user')
            .map((p) => userLinks(p!.id)),
        ]);
    }
    default:
      return direct;
  }
}
