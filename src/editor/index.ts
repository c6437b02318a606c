/**
 * The editor bundle: one `VitallyEditor` global that both nodes' HTML calls into, from their
 * literal `RED.nodes.registerType(...)` definitions. esbuild bundles this file (and the
 * settings description it shares with the runtime) into an IIFE that scripts/build-assets.js
 * inlines into each built dist/nodes/<type>.html. Both files carry it; the first one loaded
 * defines the global, so the catalogue and dialog state exist once.
 */
import { closeConfig, configLabel, prepareConfig } from './config-dialog';
import {
  cancelDestination,
  checkBody,
  checkEndpoint,
  checkManual,
  destinationAdded,
  destinationLabel,
  prepareDestination,
  saveDestination,
} from './destination-dialog';
import { checkParam } from './params';
import { check } from './validators';

const api = {
  /** `validate` of a setting in src/core/settings.ts: `VitallyEditor.check('rateLimit', v, this)`. */
  check,
  /** `validate` of a path parameter: `VitallyEditor.param('accountId', v, this, opt)`. */
  param: checkParam,
  endpoint: checkEndpoint,
  body: checkBody,
  manual: checkManual,
  config: {
    label: configLabel,
    prepare: prepareConfig,
    save: closeConfig,
    cancel: closeConfig,
  },
  destination: {
    label: destinationLabel,
    paletteAdd: destinationAdded,
    prepare: prepareDestination,
    save: saveDestination,
    cancel: cancelDestination,
  },
};

export type VitallyEditorApi = typeof api;

if (!window.VitallyEditor) window.VitallyEditor = api;
