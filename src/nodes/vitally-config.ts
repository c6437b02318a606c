/** The vitally-config node: one key, its hosts, and the connection every destination shares. */
import { ConfigError } from '../core/errors';
import { Settings } from '../core/settings';
import { Connection } from '../delivery/connection';
import { registerAdminRoutes } from './admin-routes';
import { VitallyConfigNode, closeDeadlineMs } from './connection';
import { RED } from './red';

export = function (RED: RED): void {
  function VitallyConfig(this: VitallyConfigNode, config: Settings & { name?: string }) {
    RED.nodes.createNode(this, config);
    let connection: Connection | undefined;
    let error: string | undefined;
    try {
      connection = new Connection(config, this.credentials || {}, { onError: (err) => this.error(err) });
    } catch (err) {
      error = (err as Error).message;
    }
    this.connection = () => {
      if (!connection) throw new ConfigError(`Vitally config "${config.name || this.id}": ${error}`);
      return connection;
    };

    this.on('close', (_removed, done) => {
      if (!connection) return done();
      const conn = connection;
      const deadline = Date.now() + closeDeadlineMs(RED);
      // Destination nodes are closing at the same time and wait for their in-flight requests.
      const poll = () => {
        if (conn.scheduler.inflightCount === 0 || Date.now() >= deadline) {
          conn.close();
          done();
        } else {
          setTimeout(poll, 20);
        }
      };
      poll();
    });
  }

  RED.nodes.registerType('vitally-config', VitallyConfig, {
    credentials: {
      apiKey: { type: 'password' },
      analyticsToken: { type: 'password' },
      redisUrl: { type: 'password' },
    },
  });
  registerAdminRoutes(RED);
};
