export const NS_HTTP_AUTH = 'http://jabber.org/protocol/http-auth';
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_VERSION = 'jabber:iq:version';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
