/**
 * The vitally-destination node: evaluates each record of an input message, plans its
 * request, and hands it to the shared delivery engine; reports per message on output 1
 * and per API call on output 2.
 */
import { ConfigError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { Delivery, Part, responseMessage } from '../delivery/delivery';
import { Owner } from '../delivery/dispatcher';
import { MessageTracker } from '../delivery/message-tracker';
import { Destination, DestinationSettings, parseDestination, planRecord } from '../request/destination';
import { RecordEvaluator, compileRecordEvaluator } from './evaluate';
import { Done, Msg, Node, RED, Send } from './red';
import { statusFor } from './status';
import { VitallyConfigNode, closeDeadlineMs } from './connection';
import { lastRecords } from './admin-routes';

type Tracker = MessageTracker<Msg>;

export = function (RED: RED): void {
  function VitallyDestination(this: Node, settings: DestinationSettings & { vitally?: string }) {
    RED.nodes.createNode(this, settings);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the closures below outlive this call
    const node = this;
    let setupError: string | undefined;
    let dest: Destination | undefined;
    let evaluator: RecordEvaluator | undefined;
    let hosts: Hosts | undefined;
    let delivery: Delivery<Msg> | undefined;
    let owner: Owner | undefined;
    let closing = false;
    let closed = false;
    let sent = 0;
    let failed = 0;
    const closedMessages: Tracker[] = [];
    const maxQueue = Number(RED.settings.nodeMessageBufferMaxLength) || 0;

    const config = RED.nodes.getNode(settings.vitally || '') as VitallyConfigNode | null;
    try {
      if (!config) throw new ConfigError('no Vitally config node is selected, or it is disabled');
      const connection = config.connection();
      hosts = connection.hosts;
      dest = parseDestination(settings);
      evaluator = compileRecordEvaluator(RED, node, dest, settings);
      if (dest.template?.api === 'analytics' && !connection.client.hasCredential('analytics')) {
        throw new ConfigError('Analytics templates need the Analytics API token in the Vitally config node');
      }
      owner = new Owner(dest.retry, () => scheduleStatus());
      delivery = new Delivery<Msg>({
        dispatcher: connection.dispatcher,
        owner,
        hosts,
        batching: dest.batching,
        dryRun: dest.dryRun,
        report: (call) => {
          if (!closed) node.send([null, responseMessage(call)]);
        },
      });
    } catch (err) {
      setupError = (err as Error).message;
      node.error(setupError);
    }

    let statusTimer: NodeJS.Timeout | undefined;
    const showStatus = () => {
      statusTimer = undefined;
      if (closed) return;
      const inflight = owner?.inflight ?? 0;
      const queued = (owner?.pending ?? 0) - inflight + (delivery?.batched ?? 0);
      node.status(statusFor({
        setupError, queued, inflight, sent, failed, dryRun: dest?.dryRun ?? false,
        throttledMs: config && !setupError ? config.connection().dispatcher.throttledFor() : 0,
      }, RED._));
      if (queued > 0 || inflight > 0) scheduleStatus();
    };
    // Status follows the queue at most four times a second, whatever the message rate.
    function scheduleStatus() {
      if (!statusTimer && !closed) statusTimer = setTimeout(showStatus, 250);
    }
    showStatus();

    function settled(tracker: Tracker, send: Send, done: Done) {
      const summary = tracker.summary();
      sent += summary.succeeded;
      failed += summary.failed;
      scheduleStatus();
      if (closing) {
        closedMessages.push(tracker);
        done(tracker.error());
        return;
      }
      tracker.msg.vitally = summary;
      send([tracker.msg, null]);
      done(tracker.error());
    }

    async function handle(msg: Msg, send: Send, done: Done) {
      const many = Array.isArray(msg.payload);
      const records: unknown[] = many ? (msg.payload as unknown[]) : [msg.payload];
      lastRecords.set(node.id, records[0]);
      const tracker: Tracker = new MessageTracker(msg, dest?.endpoint ?? String(settings.endpoint), records.length,
        dest?.dryRun ?? false, (t) => settled(t, send, done));
      const queued = (owner?.pending ?? 0) + (delivery?.batched ?? 0);
      if (setupError) tracker.failAll(setupError);
      else if (closing) tracker.failAll('not delivered: the node is stopping');
      else if (maxQueue > 0 && queued + records.length > maxQueue) {
        tracker.failAll(`queue full: ${queued} records are waiting and nodeMessageBufferMaxLength is ${maxQueue}`);
      } else {
        for (let index = 0; index < records.length; index++) {
          try {
            const ctx = evaluator!.context(msg, records[index], many);
            let ev = evaluator!.evaluate(ctx);
            if (ev instanceof Promise) ev = await ev;
            const request = planRecord(dest!, hosts!, ctx, ev);
            if (closing) throw new Error('not delivered: the node is stopping');
            const part: Part<Msg> = { request, tracker, index };
            delivery!.submit(part);
          } catch (err) {
            tracker.settle({ index, error: (err as Error).message });
          }
        }
      }
      tracker.start();
      scheduleStatus();
    }

    // Messages are planned one after another so records reach the queue in arrival order.
    let chain: Promise<void> = Promise.resolve();
    node.on('input', (msg, send, done) => {
      chain = chain.then(() => handle(msg, send, done)).catch((err) => done(err));
    });

    node.on('close', (_removed, done) => {
      closing = true;
      lastRecords.delete(node.id);
      clearTimeout(statusTimer);
      const finish = () => {
        const lost = closedMessages.filter((t) => t.undelivered > 0);
        if (lost.length) {
          const records = lost.reduce((n, t) => n + t.undelivered, 0);
          node.error(`stopped with ${records} records of ${lost.length} messages not delivered; each of those messages ended with done(err)`);
        }
        closed = true;
        node.status({});
        done();
      };
      if (!delivery || !owner) return finish();
      const abort = setTimeout(() => owner!.abort.abort(), closeDeadlineMs(RED));
      chain.then(() => {
        delivery!.stop();
        return owner!.whenIdle();
      }).then(() => {
        clearTimeout(abort);
        finish();
      });
    });
  }

  RED.nodes.registerType('vitally-destination', VitallyDestination);
};
