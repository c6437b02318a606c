import { notFound, Reply } from './reply';

export type Params = Record<string, string>;

export interface RouteInput {
  params: Params;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (input: RouteInput) => Reply;

interface Route {
  method: string;
  pattern: string[];
  handler: Handler;
}

/** Matches decoded path segments against patterns like `/accounts/:id`; literal segments win over parameters. */
export class Router {
  private routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, pattern: path.split('/').filter(Boolean), handler });
    // Literal segments first, so `/users/search` is not taken for `/users/:id`.
    this.routes.sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
    return this;
  }

  /** Runs the matching route; an unknown path or method is a 404 like any unknown route. */
  dispatch(method: string, segments: string[], query: URLSearchParams, body: unknown): Reply {
    for (const route of this.routes) {
      if (route.method !== method || route.pattern.length !== segments.length) continue;
      const params = match(route.pattern, segments);
      if (params) return route.handler({ params, query, body });
    }
    throw notFound('Not found');
  }
}

function match(pattern: string[], segments: string[]): Params | undefined {
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segments[i];
    else if (pattern[i] !== segments[i]) return undefined;
  }
  return params;
}

function specificity(pattern: string[]): number {
  return pattern.reduce((n, s, i) => n + (s.startsWith(':') ? 0 : 2 ** (8 - Math.min(i, 8))), 0);
}
