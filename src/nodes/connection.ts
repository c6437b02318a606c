/** The config node as destination nodes and the admin routes see it. */
import { Connection } from '../delivery/connection';
import { Node, RED } from './red';

export interface VitallyConfigNode extends Node {
  /** The shared connection; throws a ConfigError when the settings are unusable. */
  connection(): Connection;
}

/** How long close waits for requests in flight before cutting them off (Node-RED allows 15 s). */
export function closeDeadlineMs(red: RED): number {
  const timeout = Number(red.settings.nodeCloseTimeout) || 15000;
  return Math.max(100, Math.min(timeout - 1000, timeout * 0.8));
}
