/**
 * The slice of Node-RED's runtime API these nodes use. Declared here rather than taken from
 * @types/node-red, whose 1.x typings lack the (msg, send, done) and (removed, done) forms.
 */
import type { Message } from '../core/types';

export type Msg = Message;
export type Send = (msgs: (Msg | Msg[] | null)[]) => void;
export type Done = (err?: Error) => void;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface Node {
  id: string;
  name?: string;
  credentials: Record<string, string | undefined>;
  on(event: 'input', handler: (msg: Msg, send: Send, done: Done) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  send(msgs: (Msg | Msg[] | null)[]): void;
  error(err: unknown, msg?: Msg): void;
  warn(text: unknown): void;
  log(text: unknown): void;
}

export interface Request {
  body: unknown;
  params: Record<string, string>;
}
export interface Response {
  json(body: unknown): void;
  status(code: number): Response;
}
type Handler = (req: Request, res: Response) => void;

export interface RED {
  nodes: {
    createNode(node: object, config: object): void;
    registerType(type: string, ctor: object, opts?: object): void;
    getNode(id: string): unknown;
    getCredentials(id: string): Record<string, string | undefined> | undefined;
  };
  util: {
    getMessageProperty(msg: Msg, path: string): unknown;
    evaluateNodeProperty(
      value: string,
      type: string,
      node: Node | object,
      msg: Msg | undefined,
      cb?: (err: Error | null, value: unknown) => void,
    ): unknown;
    prepareJSONataExpression(value: string, node: Node | object): unknown;
    evaluateJSONataExpression(expr: unknown, msg: Msg, cb: (err: Error | null, value: unknown) => void): void;
  };
  settings: Record<string, unknown>;
  httpAdmin: {
    get(path: string, auth: unknown, handler: Handler): void;
    post(path: string, auth: unknown, handler: Handler): void;
  };
  auth: { needsPermission(permission: string): unknown };
  _(key: string, substitutions?: Record<string, unknown>): string;
}
