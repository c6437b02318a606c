/**
 * The connection pools of one client: keep-alive agents straight to the Vitally hosts, or
 * through the proxy the environment names for them, as Node-RED's core http request node
 * does (HTTPS_PROXY / HTTP_PROXY / NO_PROXY in either case, decided by proxy-from-env,
 * tunnelled by hpagent). The environment is read once, when the client is created.
 *
 * Through a proxy an https target gets a CONNECT tunnel and TLS end to end, so the proxy sees
 * only the host and port (and its own Proxy-Authorization); an http target's request crosses
 * the proxy in plain text, as it crosses any network. Certificates are always verified.
 */
import http from 'http';
import https from 'https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

/** How requests to one origin travel: an agent (and the proxy, credentials removed), or why not. */
export type Route = { agent: http.Agent; proxy?: string; error?: undefined } | { error: string };

function env(name: string): { name: string; value: string } | undefined {
  for (const key of [name.toLowerCase(), name.toUpperCase()]) {
    const value = process.env[key];
    if (value) return { name: key, value };
  }
  return undefined;
}

/** The proxy setting proxy-from-env reads for a scheme, and the variable it came from. */
function proxySetting(scheme: string): { name: string; value: string } | undefined {
  return env(`${scheme}_proxy`) ?? env('all_proxy');
}

/** A proxy URL fit for a message: scheme, host and port, never its credentials. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export class Agents {
  private readonly direct: { http: http.Agent; https: https.Agent };
  private readonly proxied = new Map<string, http.Agent>();
  private readonly routes = new Map<string, Route>();

  /** `origins` are decided now; any other origin is decided the first time it is asked for. */
  constructor(
    origins: string[],
    private readonly maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    const options = { keepAlive: true, maxSockets };
    this.direct = { http: new http.Agent(options), https: new https.Agent(options) };
    for (const origin of origins) this.route(origin);
  }

  route(origin: string): Route {
    let route = this.routes.get(origin);
    if (!route) {
      route = this.decide(origin);
      this.routes.set(origin, route);
    }
    return route;
  }

  destroy(): void {
    this.direct.http.destroy();
    this.direct.https.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
  }

  private decide(origin: string): Route {
    const secure = origin.startsWith('https:');
    const scheme = secure ? 'https' : 'http';
    if (!getProxyForUrl(`${origin}/`)) return { agent: secure ? this.direct.https : this.direct.http };
    const setting = proxySetting(scheme);
    if (!setting) return { agent: secure ? this.direct.https : this.direct.http };
    // proxy-from-env gives a value without a scheme the target's scheme; like curl and Go, take
    // "proxy.corp:3128" as an http proxy (which is what such a value means in practice).
    const written = setting.value.trim();
    let proxy: URL;
    try {
      proxy = new URL(written.includes('://') ? written : `http://${written}`);
    } catch {
      return { error: `proxy: ${setting.name} is not a valid proxy URL` };
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      return {
        error: `proxy: ${setting.name} names a ${proxy.protocol}// proxy; only http:// and https:// proxies work`,
      };
    }
    if (!proxy.hostname) return { error: `proxy: ${setting.name} names no proxy host` };
    const key = `${scheme} ${proxy.href}`;
    let agent = this.proxied.get(key);
    if (!agent) {
      // `timeout` also bounds a CONNECT the proxy never answers (the request's own deadline
      // cannot reach that side request) and closes idle pooled sockets.
      const timeout = Number.isFinite(this.timeoutMs) && this.timeoutMs > 0 ? Math.min(this.timeoutMs, 2 ** 31 - 1) : 0;
      const options = { keepAlive: true, maxSockets: this.maxSockets, proxy, ...(timeout ? { timeout } : {}) };
      agent = secure ? new HttpsProxyAgent(options) : new HttpProxyAgent(options);
      this.proxied.set(key, agent);
    }
    return { agent, proxy: shown(proxy) };
  }
}
