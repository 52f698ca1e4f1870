// The @xmpp/client 0.13 surface the XMPP benchmark uses (the package ships no types).
declare module '@xmpp/client' {
  import type { Component, Element } from '@xmpp/component';
  export { xml } from '@xmpp/component';
  export type Client = Pick<Component, 'start' | 'stop' | 'send' | 'on' | 'iqCallee'> & {
    iqCaller: { request(element: Element, timeoutMs?: number): Promise<Element> };
  };
  export function client(options: { service: string; domain: string; username: string; password: string; resource?: string }): Client;
}
