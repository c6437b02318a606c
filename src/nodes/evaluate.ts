/**
 * Evaluates a destination node's typedInputs for one record. Each property is compiled once
 * when the node starts; the common types (mustache strings, msg properties) then evaluate
 * synchronously, and only flow/global context and JSONata go through a callback.
 */
import { ConfigError, RecordError } from '../core/errors';
import type { RecordEvaluator } from '../delivery/engine';
import { Destination } from '../request/destination';
import { isTemplate, renderIds } from '../request/mustache';
import type { EvaluatedRecord } from '../request/plan';
import { Msg, RED } from './red';

type Evaluator = (msg: Msg) => unknown;

function callback<T>(run: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));
}

export function compileProperty(red: RED, node: object, name: string, value: string, type: string): Evaluator {
  switch (type || 'str') {
    case 'str':
      return isTemplate(value) ? (msg) => renderIds(value, msg, '') : () => value;
    case 'msg':
      return (msg) => red.util.getMessageProperty(msg, value);
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (err) {
        throw new ConfigError(`${name} is not valid JSON: ${(err as Error).message}`);
      }
      return () => parsed;
    }
    case 'env':
      return (msg) => red.util.evaluateNodeProperty(value, 'env', node, msg);
    case 'flow':
    case 'global':
      return (msg) => callback((cb) => red.util.evaluateNodeProperty(value, type, node, msg, cb));
    case 'jsonata': {
      let expr: unknown;
      try {
        expr = red.util.prepareJSONataExpression(value, node);
      } catch (err) {
        throw new ConfigError(`${name} is not a valid JSONata expression: ${(err as Error).message}`);
      }
      return (msg) => callback((cb) => red.util.evaluateJSONataExpression(expr, msg, cb));
    }
    default:
      throw new ConfigError(`${name} has an unsupported type "${type}"`);
  }
}

export function compileRecordEvaluator(
  red: RED,
  node: object,
  dest: Destination,
  settings: Record<string, unknown>,
): RecordEvaluator {
  const params = dest.params.map((name) => ({
    name,
    get: compileProperty(red, node, name, String(settings[name] ?? ''), String(settings[`${name}Type`] || 'str')),
  }));
  const bodyType = String(settings.bodyType || 'msg');
  const bodyValue = String(settings.body ?? 'payload') || 'payload';
  const body: Evaluator =
    bodyType === 'msg' && bodyValue === 'payload'
      ? (msg) => msg.payload
      : compileProperty(red, node, 'body', bodyValue, bodyType);

  const wrap = (name: string, err: unknown) => new RecordError(`${name}: ${(err as Error).message ?? err}`);
  return {
    // Per record, every property sees the message with that record as its payload.
    context: (msg, record, many) => (many ? { ...msg, payload: record } : msg),
    evaluate(ctx) {
      const values: unknown[] = [];
      let async = false;
      for (const p of params) {
        try {
          const v = p.get(ctx);
          async ||= v instanceof Promise;
          values.push(v);
        } catch (err) {
          throw wrap(p.name, err);
        }
      }
      let b: unknown;
      try {
        b = body(ctx);
      } catch (err) {
        throw wrap('body', err);
      }
      const assemble = (vals: unknown[], bodyValue: unknown): EvaluatedRecord => {
        const out: Record<string, unknown> = {};
        params.forEach((p, i) => {
          out[p.name] = vals[i];
        });
        return { params: out, body: bodyValue };
      };
      if (!async && !(b instanceof Promise)) return assemble(values, b);
      return Promise.all([
        Promise.all(
          values.map((v, i) =>
            Promise.resolve(v).catch((err) => {
              throw wrap(params[i].name, err);
            }),
          ),
        ),
        Promise.resolve(b).catch((err) => {
          throw wrap('body', err);
        }),
      ]).then(([vals, bodyValue]) => assemble(vals, bodyValue));
    },
  };
}
