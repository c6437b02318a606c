/**
 * Where requests go: the REST and Analytics bases for a config node's region settings,
 * and the check that a URL stays on them (the API key is only ever sent there).
 */

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

export class ConfigError extends Error {}

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** An absolute http(s) origin with nothing else: no path, query, fragment or credentials. */
export function parseBaseUrl(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigError(`base URL "${raw}" is not an absolute URL`);
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash
    || url.username || url.password || /[?#]/.test(trimmed)) {
    throw new ConfigError('base URL must be http(s)://host[:port] with no path, query or credentials');
  }
  return url.origin;
}

export function resolveHosts(s: ConnectionSettings): Hosts {
  const region = s.region || 'us';
  if (region === 'us') {
    const sub = (s.subdomain || '').trim();
    if (!SUBDOMAIN.test(sub)) {
      throw new ConfigError(sub ? `subdomain "${sub}" is not a valid Vitally subdomain` : 'subdomain is required for the US region');
    }
    const host = sub.toLowerCase();
    return {
      restBase: `https://${host}.rest.vitally.io/resources`,
      analyticsBase: `https://${host}.api.vitally.io/analytics/v1`,
    };
  }
  if (region === 'eu') {
    return {
      restBase: 'https://rest.vitally-eu.io/resources',
      analyticsError: 'Vitally documents no Analytics API host for the EU region; use region "custom" with the host Vitally gives you',
    };
  }
  if (region === 'custom') {
    const origin = parseBaseUrl(s.baseUrl || '');
    return { restBase: `${origin}/resources`, analyticsBase: `${origin}/analytics/v1` };
  }
  throw new ConfigError(`unknown region "${region}"`);
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
