/**
 * The parts of Node-RED's editor the dialogs use: the `RED` object and the jQuery it ships
 * with (plus its typedInput, editableList and autoComplete widgets). Only what this code
 * calls is described, so a typo in a call is a type error.
 */

interface JQueryXHR {
  status: number;
  statusText: string;
  responseJSON?: unknown;
  done(cb: (data: unknown) => void): JQueryXHR;
  fail(cb: (xhr: JQueryXHR) => void): JQueryXHR;
  always(cb: () => void): JQueryXHR;
}

interface JQueryAjaxOptions {
  url: string;
  type?: 'GET' | 'POST';
  contentType?: string;
  dataType?: string;
  data?: string;
  cache?: boolean;
}

type JQueryContent = string | Element | Text | JQuery;

interface JQuery {
  length: number;
  [index: number]: HTMLElement;
  val(): string | string[] | number | null | undefined;
  val(value: string | number | null): JQuery;
  text(): string;
  text(value: string): JQuery;
  html(): string;
  html(value: string): JQuery;
  attr(name: string): string | undefined;
  attr(name: string, value: string | number | null): JQuery;
  removeAttr(name: string): JQuery;
  prop(name: string): unknown;
  prop(name: string, value: unknown): JQuery;
  data(name: string): unknown;
  css(name: string, value: string): JQuery;
  addClass(cls: string): JQuery;
  removeClass(cls: string): JQuery;
  toggleClass(cls: string, on: boolean): JQuery;
  hasClass(cls: string): boolean;
  toggle(show: boolean): JQuery;
  show(): JQuery;
  hide(): JQuery;
  is(selector: string): boolean;
  on(events: string, handler: (this: HTMLElement, evt: JQueryEvent) => void): JQuery;
  on(events: string, selector: string, handler: (this: HTMLElement, evt: JQueryEvent) => void): JQuery;
  off(events: string): JQuery;
  trigger(event: string): JQuery;
  empty(): JQuery;
  remove(): JQuery;
  append(...content: JQueryContent[]): JQuery;
  appendTo(target: string | JQuery): JQuery;
  prependTo(target: string | JQuery): JQuery;
  insertAfter(target: string | JQuery): JQuery;
  find(selector: string): JQuery;
  closest(selector: string): JQuery;
  children(selector?: string): JQuery;
  first(): JQuery;
  each(fn: (this: HTMLElement, index: number, element: HTMLElement) => void): JQuery;
  get(): HTMLElement[];
  /** typedInput: create, or call a method. */
  typedInput(options: TypedInputOptions): JQuery;
  typedInput(method: 'value' | 'type'): string;
  typedInput(method: 'value' | 'type' | 'types', value: unknown): JQuery;
  editableList(options: EditableListOptions): JQuery;
  editableList(method: 'addItem', data: unknown): JQuery;
  editableList(method: 'items'): JQuery;
  editableList(method: 'empty'): JQuery;
  autoComplete(options: { minLength?: number; search: (value: string) => string[] }): JQuery;
}

interface JQueryEvent {
  preventDefault(): void;
  target: EventTarget | null;
}

interface TypedInputOptions {
  default?: string;
  types: string[];
  typeField?: string;
}

interface EditableListOptions {
  addButton?: string | boolean;
  height?: string | number;
  removable?: boolean;
  sortable?: boolean;
  addItem: (container: JQuery, index: number, data: unknown) => void;
  removeItem?: (data: unknown) => void;
}

interface JQueryStatic {
  (selector: string | Element | Document | JQuery): JQuery;
  ajax(options: JQueryAjaxOptions): JQueryXHR;
  fn: Record<string, unknown>;
}

declare const $: JQueryStatic;

/** One property of a node definition's `defaults`. */
interface NodePropertyDef {
  value: unknown;
  type?: string;
  required?: boolean;
  validate?: (this: EditorNode, value: unknown, opt?: Record<string, unknown>) => unknown;
}

interface NodeDefinition {
  category?: string;
  defaults: Record<string, NodePropertyDef>;
  /** The definition's own i18n lookup, namespaced to its node set. */
  _?: (key: string, substitutions?: Record<string, unknown>) => string;
}

/** A node as the editor holds it: its saved properties plus editor state. */
interface EditorNode {
  id: string;
  type: string;
  z?: string;
  changed?: boolean;
  dirty?: boolean;
  _def: NodeDefinition;
  [property: string]: unknown;
}

interface NotifyButton {
  text: string;
  class?: string;
  click: () => void;
}

interface NotifyOptions {
  type?: 'success' | 'error' | 'warning' | 'compact';
  timeout?: number;
  modal?: boolean;
  fixed?: boolean;
  buttons?: NotifyButton[];
}

interface NodeRedEditorApi {
  nodes: {
    getType(type: string): NodeDefinition | undefined;
    node(id: string): EditorNode | undefined;
    eachNode(cb: (node: EditorNode) => void): void;
    eachConfig(cb: (node: EditorNode) => void): void;
  };
  editor: { validateNode(node: EditorNode): boolean };
  view: { redraw(full?: boolean): void };
  notify(message: string, options?: NotifyOptions): { close(): void };
  utils: {
    validateTypedProperty?(value: unknown, type: string, opt?: Record<string, unknown>): boolean | string;
  };
}

declare const RED: NodeRedEditorApi;

interface Window {
  VitallyEditor?: unknown;
}
