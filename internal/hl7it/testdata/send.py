#!/usr/bin/python3
"""Sends HL7 v2 messages over MLLP with python-hl7 (an implementation
independent of reportgen) and prints each ACK as python-hl7 parses it:
one JSON line per message file, in order, on one connection.

usage: send.py HOST PORT FILE...
"""
import json
import sys

import hl7
from hl7.client import MLLPClient

EB = b"\x1c"


def main():
    host, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    with MLLPClient(host, port) as client:
        for name in files:
            with open(name, "rb") as f:
                data = f.read()
            answer = client.send_message(data)
            # send_message returns one recv(); an answer may take more.
            while EB not in answer:
                more = client.socket.recv(4096)
                if not more:
                    break
                answer += more
            text = answer.strip(b"\x0b\x1c\r")
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                text = text.decode("latin-1")
            msg = hl7.parse(text)
            msa = msg.segment("MSA")
            errs = []
            for seg in msg:
                if str(seg[0]) != "ERR":
                    continue
                fields = [str(f) for f in seg]
                errs.append({
                    "eld": fields[1] if len(fields) > 1 else "",
                    "erl": fields[2] if len(fields) > 2 else "",
                    "severity": fields[4] if len(fields) > 4 else "",
                    "rule": fields[5].split("^")[0] if len(fields) > 5 else "",
                })
            print(json.dumps({
                "file": name,
                "code": str(msa[1]),
                "control": str(msa[2]),
                "version": str(msg.segment("MSH")[12]),
                "errors": errs,
                "ack": text,
            }), flush=True)


if __name__ == "__main__":
    main()
