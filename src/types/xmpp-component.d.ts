// Only the @xmpp/component 0.13 surface authbridge uses (the package ships no types).
declare module '@xmpp/component' {
  import type { EventEmitter } from 'node:events';

  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    text(): string;
    is(name: string, xmlns?: string): boolean;
    append(...children: Array<Element | string>): Element;
    toString(): string;
  }

  export type XmlChild = Element | string | null | undefined;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: XmlChild[]): Element;

  export interface StreamError extends Error {
    condition: string;
    text?: string;
  }

  export interface Reconnect {
    delay: number;
    stop(): void;
    reconnect(): Promise<void>;
  }

  export interface IqCallee {
    get(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => Element | undefined | Promise<Element | undefined>): void;
  }

  export interface Component extends EventEmitter {
    status: string;
    reconnect: Reconnect;
    iqCallee: IqCallee;
    start(): Promise<unknown>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
  }

  export function component(options: { service: string; domain: string; password: string }): Component;
}
