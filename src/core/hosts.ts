/**
 * Where requests go: the REST and Analytics bases for a config node's region settings,
 * and the check that a URL stays on them (the API key is only ever sent there).
 */
import { ConfigError } from './errors';
import { CONFIG_SETTINGS, Settings, baseUrlProblem, readSetting } from './settings';

export interface ConnectionSettings {
  region?: string;
  subdomain?: string;
  baseUrl?: string;
}

export interface Hosts {
  restBase: string;
  /** Absent when the region has no documented Analytics host; see analyticsError. */
  analyticsBase?: string;
  analyticsError?: string;
}

/** An absolute http(s) origin with nothing else: no path, query, fragment or credentials. */
export function parseBaseUrl(raw: string): string {
  const problem = baseUrlProblem(raw);
  if (problem) throw new ConfigError(problem);
  return new URL(raw.trim()).origin;
}

export function resolveHosts(s: ConnectionSettings): Hosts {
  const settings = s as Settings;
  const region = readSetting(CONFIG_SETTINGS, 'region', settings);
  if (region === 'us') {
    const host = readSetting(CONFIG_SETTINGS, 'subdomain', settings).toLowerCase();
    return {
      restBase: `https://${host}.rest.vitally.io/resources`,
      analyticsBase: `https://${host}.api.vitally.io/analytics/v1`,
    };
  }
  if (region === 'eu') {
    return {
      restBase: 'https://rest.vitally-eu.io/resources',
      analyticsError:
        'Vitally documents no Analytics API host for the EU region; use region "custom" with the host Vitally gives you',
    };
  }
  const origin = parseBaseUrl(readSetting(CONFIG_SETTINGS, 'baseUrl', settings));
  return { restBase: `${origin}/resources`, analyticsBase: `${origin}/analytics/v1` };
}

/** Which API a URL belongs to, or undefined when it is not on the configured Vitally host. */
export function apiOfUrl(url: URL, hosts: Hosts): 'rest' | 'analytics' | undefined {
  if (url.username || url.password) return undefined;
  const { rest, analytics } = parsedBases(hosts);
  if (analytics && isUnder(url, analytics)) return 'analytics';
  if (url.origin === rest.origin) return 'rest';
  if (analytics && url.origin === analytics.origin) return 'analytics';
  return undefined;
}

/** The bases parsed once per Hosts: every request is checked against them. */
const parsed = new WeakMap<Hosts, { rest: URL; analytics?: URL }>();

function parsedBases(hosts: Hosts): { rest: URL; analytics?: URL } {
  let bases = parsed.get(hosts);
  if (!bases) {
    bases = {
      rest: new URL(hosts.restBase),
      analytics: hosts.analyticsBase ? new URL(hosts.analyticsBase) : undefined,
    };
    parsed.set(hosts, bases);
  }
  return bases;
}

function isUnder(url: URL, base: URL): boolean {
  return url.origin === base.origin && (url.pathname === base.pathname || url.pathname.startsWith(base.pathname + '/'));
}
