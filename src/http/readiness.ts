/** One line of /readyz: the store, the XMPP link, each enabled method. */
export interface ReadinessCheck {
  name: string;
  check(): { up: boolean; detail?: string };
}
