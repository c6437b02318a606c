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
  if (hosts.analyticsBase && isUnder(url, hosts.analyticsBase)) return 'analytics';
  const rest = new URL(hosts.restBase);
  if (url.origin === rest.origin) return 'rest';
  if (hosts.analyticsBase && url.origin === new URL(hosts.analyticsBase).origin) return 'analytics';
  return undefined;
}

function isUnder(url: URL, base: string): boolean {
  const b = new URL(base);
  return url.origin === b.origin && (url.pathname === b.pathname || url.pathname.startsWith(b.pathname + '/'));
}
