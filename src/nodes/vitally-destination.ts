/**
 * The vitally-destination node: Node-RED wiring around the delivery engine. Input messages go
 * to the engine; output 1 per message, output 2 per API call; status from the engine's counts.
 */
import { ConfigError } from '../core/errors';
import { Connection } from '../delivery/connection';
import { DestinationEngine, refuseMessage } from '../delivery/engine';
import { responseMessage } from '../delivery/outcomes';
import { Destination, DestinationSettings, parseDestination } from '../request/destination';
import { manualApi } from '../request/manual';
import { lastRecords } from './admin-routes';
import { VitallyConfigNode, closeDeadlineMs } from './connection';
import { compileRecordEvaluator } from './evaluate';
import { Node, RED } from './red';
import { StatusLine } from './status';

/** The destination's settings and connection, or the configuration error that stops it. */
function setUp(RED: RED, node: Node, settings: DestinationSettings & { vitally?: string }) {
  const config = RED.nodes.getNode(settings.vitally || '') as VitallyConfigNode | null;
  if (!config) throw new ConfigError('no Vitally config node is selected, or it is disabled');
  const connection = config.connection();
  const dest = parseDestination(settings);
  const needs = dest.template?.api ?? manualApi(dest.manual!, connection.hosts);
  if (needs === 'analytics' && !connection.client.hasCredential('analytics')) {
    throw new ConfigError('Analytics templates need the Analytics API token in the Vitally config node');
  }
  if (needs === 'rest' && !connection.client.hasCredential('rest')) {
    throw new ConfigError('the Vitally config node has no REST API key');
  }
  return { connection, dest, evaluator: compileRecordEvaluator(RED, node, dest, settings) };
}

export = function (RED: RED): void {
  function VitallyDestination(this: Node, settings: DestinationSettings & { vitally?: string }) {
    RED.nodes.createNode(this, settings);
    let engine: DestinationEngine | undefined;
    let connection: Connection | undefined;
    let dest: Destination | undefined;
    let setupError: string | undefined;
    let closed = false;
    const status = new StatusLine(this, RED._, () => {
      const counts = engine?.counts() ?? { queued: 0, inflight: 0, sent: 0, failed: 0 };
      const scheduler = connection?.scheduler;
      return {
        ...counts,
        setupError,
        dryRun: dest?.dryRun ?? false,
        throttledMs: scheduler?.throttledFor() ?? 0,
        pause: scheduler?.budget.pauseInfo(performance.now()),
        budgetProblem: scheduler?.budgetProblem(),
      };
    });
    try {
      const s = setUp(RED, this, settings);
      ({ connection, dest } = s);
      const maxQueue = Number(RED.settings.nodeMessageBufferMaxLength) || 0;
      engine = new DestinationEngine(
        s.connection,
        s.dest,
        s.evaluator,
        {
          call: (call) => {
            if (!closed) this.send([null, responseMessage(call)]);
          },
          changed: () => status.schedule(),
        },
        maxQueue,
      );
    } catch (err) {
      setupError = (err as Error).message;
      this.error(setupError);
    }
    status.show();

    this.on('input', (msg, send, done) => {
      const many = Array.isArray(msg.payload);
      lastRecords.set(this.id, many ? (msg.payload as unknown[])[0] : msg.payload);
      if (engine) engine.receive(msg, send, done);
      else refuseMessage(msg, String(settings.endpoint), setupError!, send, done);
      status.schedule();
    });

    this.on('close', (_removed, done) => {
      lastRecords.delete(this.id);
      const finish = (lost: { undelivered: number }[]) => {
        if (lost.length) {
          const records = lost.reduce((n, t) => n + t.undelivered, 0);
          this.error(
            `stopped with ${records} records of ${lost.length} messages not delivered; each of those messages ended with done(err)`,
          );
        }
        closed = true;
        status.stop();
        done();
      };
      if (!engine) return finish([]);
      engine.stop(closeDeadlineMs(RED)).then(finish);
    });
  }

  RED.nodes.registerType('vitally-destination', VitallyDestination);
};
