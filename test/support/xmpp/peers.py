"""Scripted XMPP users for authbridge's integration tests (Debian's python3-slixmpp).

Usage: /usr/bin/python3 peers.py HOST PORT SPEC_JSON
SPEC_JSON is a list of {"jid", "password", "mode", "delay_ms"} objects; all peers run
in this one process. Modes (spec/xmpp.md §11):
  accept   xep_0070, accepts every request (iq or message)
  deny     xep_0070, denies every request
  silent   xep_0070 advertised, never answers
  no-0070  no plugin: an iq confirm gets feature-not-implemented; messages are ignored
  typer    no plugin: types the validation code back as a chat message
  wrong    no plugin: types a wrong code back
  refuse   no plugin: types "no" back
Events are printed as JSON lines: ready, confirm (what arrived and how), answered.
Commands on stdin, one per line:
  forge FROM_JID TRANSACTION_ID   FROM_JID sends a confirm message and the typed code
                                  to the component, as if answering someone else's request
  disco FROM_JID                  FROM_JID asks the component for disco#info (event: disco)
  subscribe FROM_JID              FROM_JID subscribes to the component's presence
                                  (event: subscribed, when the component accepts)
"""
import asyncio
import json
import re
import sys

from slixmpp import ClientXMPP

COMPONENT = None
CODE = re.compile(r"Validation code: (\S+)")
USES_0070 = {"accept", "deny", "silent"}


def emit(**event):
    print(json.dumps(event), flush=True)


class Peer(ClientXMPP):
    def __init__(self, jid, password, mode, delay_ms):
        super().__init__(jid, password)
        self.mode = mode
        self.delay = delay_ms / 1000
        self.register_plugin("xep_0030")
        if mode in USES_0070:
            self.register_plugin("xep_0070")
            self.add_event_handler("http_confirm", self.on_confirm)
        # The 'message' event fires for messages with a body, which ours always have.
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("failed_auth", lambda _: emit(event="failed_auth", jid=str(self.boundjid)))

    async def on_start(self, _):
        # Prosody delivers subscription presences only to resources that fetched the roster.
        await self.get_roster()
        self.send_presence()
        emit(event="ready", jid=str(self.boundjid))

    def on_presence(self, presence):
        if presence["type"] == "subscribed":
            emit(event="subscribed", jid=str(self.boundjid), by=str(presence["from"]))

    async def on_confirm(self, stanza):
        via = stanza.name
        emit(event="confirm", jid=str(self.boundjid), via=via, id=stanza["confirm"]["id"],
             method=stanza["confirm"]["method"], url=stanza["confirm"]["url"])
        if self.mode == "silent":
            return
        await asyncio.sleep(self.delay)
        reply = stanza.reply()
        if self.mode == "deny":
            reply.enable("error")
            reply["error"]["type"] = "auth"
            reply["error"]["condition"] = "not-authorized"
        reply.append(stanza["confirm"])
        reply.send()
        emit(event="answered", jid=str(self.boundjid), via=via, answer=self.mode)

    async def on_message(self, msg):
        if msg["type"] == "error" or self.mode in USES_0070:
            return
        match = CODE.search(msg["body"])
        if not match:
            return
        emit(event="confirm", jid=str(self.boundjid), via="body", id=match.group(1))
        if self.mode == "no-0070":
            return
        await asyncio.sleep(self.delay)
        text = {"typer": match.group(1), "wrong": match.group(1) + "x", "refuse": "no"}[self.mode]
        self.make_message(mto=msg["from"], mbody=f"  {text} \n", mtype="chat").send()
        emit(event="answered", jid=str(self.boundjid), via="body", answer=self.mode)


async def commands(peers):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().split()
        if not line:
            break
        if line[0] == "forge":
            peer = peers[line[1]]
            xml = (f"<message xmlns='jabber:client' to='{COMPONENT}' type='normal'>"
                   f"<confirm xmlns='http://jabber.org/protocol/http-auth' id='{line[2]}' method='GET' url='x'/></message>")
            peer.send_raw(xml)
            peer.make_message(mto=COMPONENT, mbody=line[2], mtype="chat").send()
            emit(event="forged", jid=line[1], id=line[2])
        elif line[0] == "disco":
            info = await peers[line[1]]["xep_0030"].get_info(jid=COMPONENT, timeout=5)
            query = info["disco_info"]
            emit(event="disco", jid=line[1], identities=[[i[0], i[1], i[3]] for i in query["identities"]],
                 features=sorted(query["features"]))
        elif line[0] == "subscribe":
            peers[line[1]].send_presence(pto=COMPONENT, ptype="subscribe")
    for peer in peers.values():
        peer.disconnect()


def main():
    global COMPONENT
    host, port, spec = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    COMPONENT = sys.argv[4] if len(sys.argv) > 4 else "auth.localhost"
    peers = {}
    for entry in spec:
        peer = Peer(entry["jid"], entry["password"], entry["mode"], entry.get("delay_ms", 0))
        peer.connect(address=(host, port), disable_starttls=True, force_starttls=False)
        peers[entry["jid"]] = peer
    asyncio.get_event_loop().run_until_complete(commands(peers))


if __name__ == "__main__":
    main()
