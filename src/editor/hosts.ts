/**
 * Where a config node's requests go, as the dialogs show it: the runtime's own host rules
 * (src/core/hosts.ts) for settings written out, and a plain statement for settings that come
 * from the environment, which only Node-RED's runtime can read.
 */
import { resolveHosts } from '../core/hosts';
import { isEnvReference } from './validators';

export interface HostsView {
  /** The REST base, or a pattern of it when a setting is missing, invalid or from the environment. */
  rest: string;
  /** The Analytics base; undefined where Vitally documents none (EU). */
  analytics?: string;
  /** Environment variables the host comes from. */
  envNames: string[];
  /** host[:port] of the REST base when the settings name it outright. */
  host?: string;
  /** The REST host is this machine (the sandbox): 127.0.0.1, localhost or ::1. */
  loopback: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const envName = (ref: string) => ref.slice(2, -1);

export function describeHosts(settings: { region?: unknown; subdomain?: unknown; baseUrl?: unknown }): HostsView {
  const region = String(settings.region || 'us');
  const subdomain = String(settings.subdomain ?? '').trim();
  const baseUrl = String(settings.baseUrl ?? '').trim();
  if (isEnvReference(region)) {
    // Which host depends on the region the environment gives: only the paths are known.
    return { rest: '…/resources', analytics: '…/analytics/v1', envNames: [envName(region)], loopback: false };
  }
  if (region === 'custom' && isEnvReference(baseUrl)) {
    return {
      rest: `${baseUrl}/resources`,
      analytics: `${baseUrl}/analytics/v1`,
      envNames: [envName(baseUrl)],
      loopback: false,
    };
  }
  if (region === 'us' && isEnvReference(subdomain)) {
    return {
      rest: `https://${subdomain}.rest.vitally.io/resources`,
      analytics: `https://${subdomain}.api.vitally.io/analytics/v1`,
      envNames: [envName(subdomain)],
      loopback: false,
    };
  }
  try {
    const hosts = resolveHosts({ region, subdomain, baseUrl });
    const url = new URL(hosts.restBase);
    return {
      rest: hosts.restBase,
      analytics: hosts.analyticsBase,
      envNames: [],
      host: url.host,
      loopback: LOOPBACK.has(url.hostname),
    };
  } catch {
    // Not complete yet (or not valid): show the shape it will have.
    if (region === 'custom') {
      return {
        rest: 'http(s)://host[:port]/resources',
        analytics: 'http(s)://host[:port]/analytics/v1',
        envNames: [],
        loopback: false,
      };
    }
    return {
      rest: 'https://<subdomain>.rest.vitally.io/resources',
      analytics: 'https://<subdomain>.api.vitally.io/analytics/v1',
      envNames: [],
      loopback: false,
    };
  }
}
