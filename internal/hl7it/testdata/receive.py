#!/usr/bin/python3
"""A downstream HL7 v2 receiver built on python-hl7's asyncio MLLP server
(independent of reportgen). It prints the port it listens on, then for
each ORU^R01: parses it with python-hl7, writes OUT/CONTROL.json (what
it read: patient name, result status, study UID, the TX lines) and
OUT/CONTROL.cda.xml (the ED observation's base64 decoded), and answers
with python-hl7's create_ack: AE to the first --fail-first messages, AA
after that.

usage: receive.py OUT [--fail-first N]
"""
import asyncio
import base64
import json
import os
import sys

from hl7.mllp import start_hl7_server

OUT = sys.argv[1]
FAIL = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--fail-first" else 0
seen = 0


def field(seg, n):
    return str(seg[n]) if len(seg) > n else ""


async def serve(reader, writer):
    global seen
    try:
        while not writer.is_closing():
            msg = await reader.readmessage()
            seen += 1
            msh = msg.segment("MSH")
            control = field(msh, 10)
            lines, cda, study = [], b"", ""
            for seg in msg:
                if str(seg[0]) != "OBX":
                    continue
                vt, ident, value = field(seg, 2), field(seg, 3), field(seg, 5)
                if vt == "TX":
                    lines.append(msg.unescape(value))
                elif vt == "ED":
                    cda = base64.b64decode(value.split("^")[4])
                elif ident.startswith("113014^"):
                    study = value
            summary = {
                "control": control,
                "type": field(msh, 9),
                "charset": field(msh, 18),
                "patient": field(msg.segment("PID"), 5),
                "status": field(msg.segment("OBR"), 25),
                "study": study,
                "lines": lines,
            }
            code = "AE" if seen <= FAIL else "AA"
            if code == "AA":
                with open(os.path.join(OUT, control + ".cda.xml"), "wb") as f:
                    f.write(cda)
                with open(os.path.join(OUT, control + ".json"), "w") as f:
                    json.dump(summary, f)
            writer.writemessage(msg.create_ack(ack_code=code))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main():
    server = await start_hl7_server(serve, "127.0.0.1", 0, encoding="utf-8", limit=8 << 20)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
