/**
 * The demo workspace (`--seed demo`): a small customer-success team's data, so that
 * reads answer something on a fresh start. Every object has a fixed Vitally id and a
 * stable externalId (or email), the same after every start and every reset, so
 * examples and tests can name them. `DEMO` lists the ids; `demoData()` is the seed.
 */
import type { Body } from './reply';

/** The custom object definition every sandbox starts with, so instance templates work out of the box. */
export const SEEDED_CUSTOM_OBJECT_ID = '6f1c2a9e-4b7d-4c3a-9e58-5b0d7a1c2f30';

const KINDS = {
  organization: 1,
  account: 2,
  user: 3,
  admin: 4,
  projectTemplate: 5,
  instance: 6,
  customField: 7,
  note: 8,
  task: 9,
  npsResponse: 10,
} as const;

/** A fixed UUID per kind and number, e.g. organization 1 = d0000001-0000-4000-8000-000000000001. */
const fixedId = (kind: keyof typeof KINDS, n: number): string =>
  `d${String(KINDS[kind]).padStart(7, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

const org = (n: number, name: string) => ({ id: fixedId('organization', n), externalId: `org-${n}`, name });
const account = (n: number, name: string, organization: string, churned = false) => ({
  id: fixedId('account', n),
  externalId: `acct-${n}`,
  name,
  organization,
  churned,
});
const user = (n: number, name: string, domain: string, account: string) => ({
  id: fixedId('user', n),
  externalId: `user-${n}`,
  name,
  email: `${name.split(' ')[0].toLowerCase()}@${domain}`,
  account,
});
const admin = (n: number, name: string, email: string) => ({ id: fixedId('admin', n), name, email });

/** Key ids and externalIds of the demo workspace. */
export const DEMO = deepFreeze({
  organizations: [org(1, 'Northwind Group'), org(2, 'Globex Holdings'), org(3, 'Initech Partners')],
  accounts: [
    account(1, 'Northwind Retail', 'org-1'),
    account(2, 'Northwind Logistics', 'org-1'),
    account(3, 'Globex Europe', 'org-2'),
    account(4, 'Globex Americas', 'org-2'),
    account(5, 'Initech Labs', 'org-3'),
    account(6, 'Initech Legacy', 'org-3', true),
  ],
  /** The one churned account (a `churnedAt` trait): listed only with status=churned or activeOrChurned. */
  churnedAccount: 'acct-6',
  users: [
    user(1, 'Olivia Hart', 'northwind.example', 'acct-1'),
    user(2, 'Liam Stone', 'northwind.example', 'acct-1'),
    user(3, 'Emma Reyes', 'northwind.example', 'acct-2'),
    user(4, 'Noah Berg', 'northwind.example', 'acct-2'),
    user(5, 'Ava Rossi', 'globex.example', 'acct-3'),
    user(6, 'Lucas Meyer', 'globex.example', 'acct-3'),
    user(7, 'Mia Novak', 'globex.example', 'acct-4'),
    user(8, 'Ethan Cole', 'globex.example', 'acct-4'),
    user(9, 'Zoe Lambert', 'initech.example', 'acct-5'),
    user(10, 'Omar Haddad', 'initech.example', 'acct-5'),
    user(11, 'Ines Duarte', 'initech.example', 'acct-6'),
    user(12, 'Kai Tanaka', 'initech.example', 'acct-6'),
  ],
  admins: [admin(1, 'Ana Costa', 'ana@demo-cs.example'), admin(2, 'Ben Okafor', 'ben@demo-cs.example')],
  customObject: {
    id: SEEDED_CUSTOM_OBJECT_ID,
    label: 'Subscriptions',
    /** Its custom fields; an instance holds each under `traits[path]`. */
    fields: [
      { id: fixedId('customField', 101), label: 'Plan', type: 'string', path: 'plan' },
      { id: fixedId('customField', 102), label: 'Renews on', type: 'date', path: 'renewsOn' },
      { id: fixedId('customField', 103), label: 'Seats', type: 'number', path: 'seats' },
    ],
    instances: [
      { id: fixedId('instance', 1), externalId: 'sub-1', name: 'Northwind Retail: Growth', account: 'acct-1' },
      { id: fixedId('instance', 2), externalId: 'sub-2', name: 'Globex Europe: Enterprise', account: 'acct-3' },
    ],
  },
  projectTemplates: [
    { id: fixedId('projectTemplate', 1), name: 'Onboarding', categoryId: 'lifecycle' },
    { id: fixedId('projectTemplate', 2), name: 'Renewal review', categoryId: 'renewals' },
  ],
  /** Custom traits (GET /customFields) of accounts, users and organizations. */
  customFields: [
    { id: fixedId('customField', 1), model: 'accounts', label: 'Plan', type: 'string', path: 'vitally.custom.plan' },
    { id: fixedId('customField', 2), model: 'accounts', label: 'Seats', type: 'number', path: 'vitally.custom.seats' },
    { id: fixedId('customField', 3), model: 'users', label: 'Role', type: 'string', path: 'vitally.custom.role' },
    {
      id: fixedId('customField', 4),
      model: 'users',
      label: 'Champion',
      type: 'boolean',
      path: 'vitally.custom.champion',
    },
    {
      id: fixedId('customField', 5),
      model: 'organizations',
      label: 'Region',
      type: 'string',
      path: 'vitally.custom.region',
    },
  ],
  notes: [
    { id: fixedId('note', 1), externalId: 'note-1', account: 'acct-1' },
    { id: fixedId('note', 2), externalId: 'note-2', organization: 'org-2' },
  ],
  tasks: [{ id: fixedId('task', 1), externalId: 'task-1', account: 'acct-3' }],
  npsResponses: [{ id: fixedId('npsResponse', 1), externalId: 'nps-1', user: 'user-1' }],
});

const CREATED = '2026-01-05T09:00:00.000Z';
const PLANS = ['growth', 'starter', 'enterprise', 'enterprise', 'starter', 'growth'];
const REGIONS = ['EMEA', 'Americas', 'APAC'];

/** The demo workspace as seed data (resource name -> objects, with their fixed ids). */
export function demoData(): Record<string, Body[]> {
  const idOf = <T extends { id: string; externalId: string }>(list: readonly T[], externalId: string): string =>
    list.find((o) => o.externalId === externalId)!.id;
  const accountId = (externalId: string) => idOf(DEMO.accounts, externalId);
  const organizationId = (externalId: string) => idOf(DEMO.organizations, externalId);
  const { customObject } = DEMO;
  return {
    organizations: DEMO.organizations.map((o, i) => ({
      id: o.id,
      externalId: o.externalId,
      name: o.name,
      traits: { 'vitally.custom.region': REGIONS[i] },
    })),
    accounts: DEMO.accounts.map((a, i) => ({
      id: a.id,
      externalId: a.externalId,
      name: a.name,
      organizationId: organizationId(a.organization),
      traits: {
        mrr: 500 * (i + 1),
        'vitally.custom.plan': PLANS[i],
        'vitally.custom.seats': 10 * (i + 1),
        ...(a.churned && { churnedAt: '2026-06-30T00:00:00.000Z' }),
      },
    })),
    users: DEMO.users.map((u, i) => ({
      id: u.id,
      externalId: u.externalId,
      name: u.name,
      email: u.email,
      accountIds: [accountId(u.account)],
      traits: { 'vitally.custom.role': i % 2 === 0 ? 'Admin' : 'Member', 'vitally.custom.champion': i % 4 === 0 },
    })),
    admins: DEMO.admins.map((a) => ({ ...a, licenseStatus: 'active' })),
    customObjects: [
      {
        id: customObject.id,
        name: 'subscriptions',
        label: customObject.label,
        writeMode: 'writable',
        customFields: customObject.fields.map((f) => ({ ...f, createdAt: CREATED })),
      },
    ],
    [`customObjects/${customObject.id}/instances`]: customObject.instances.map((inst, i) => ({
      id: inst.id,
      externalId: inst.externalId,
      name: inst.name,
      customerId: accountId(inst.account),
      traits: { plan: i === 0 ? 'growth' : 'enterprise', seats: i === 0 ? 25 : 120, renewsOn: '2027-01-01' },
    })),
    projectTemplates: DEMO.projectTemplates.map((t) => ({ ...t })),
    customFields: DEMO.customFields.map((f) => ({ ...f })),
    notes: [
      {
        id: DEMO.notes[0].id,
        externalId: DEMO.notes[0].externalId,
        accountId: accountId(DEMO.notes[0].account!),
        subject: 'Kick-off call',
        note: '<p>Agreed on the onboarding plan and a first check-in in two weeks.</p>',
        noteDate: '2026-01-12T10:00:00.000Z',
        authorId: DEMO.admins[0].id,
      },
      {
        id: DEMO.notes[1].id,
        externalId: DEMO.notes[1].externalId,
        organizationId: organizationId(DEMO.notes[1].organization!),
        subject: 'Quarterly review',
        note: '<p>Globex wants SSO for both regions before renewal.</p>',
        noteDate: '2026-02-03T15:30:00.000Z',
        authorId: DEMO.admins[1].id,
      },
    ],
    tasks: [
      {
        id: DEMO.tasks[0].id,
        externalId: DEMO.tasks[0].externalId,
        accountId: accountId(DEMO.tasks[0].account),
        name: 'Send the SSO setup guide',
        dueDate: '2026-02-10T00:00:00.000Z',
        assignedToId: DEMO.admins[1].id,
      },
    ],
    npsResponses: [
      {
        id: DEMO.npsResponses[0].id,
        externalId: DEMO.npsResponses[0].externalId,
        userId: idOf(DEMO.users, DEMO.npsResponses[0].user),
        score: 9,
        feedback: 'Setup was quick.',
        respondedAt: '2026-02-01T08:00:00.000Z',
      },
    ],
  };
}

type DeepReadonly<T> = { readonly [K in keyof T]: DeepReadonly<T[K]> };

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
