#!/usr/bin/python3
"""Calls every RPC of a reportgen server from Python using only what the
server serves: the message types come from its gRPC reflection, none from
a .proto file or generated code. It is the Python example of the README and
the test that a Python client can do it, with Debian's python3-grpcio and
python3-protobuf alone (Debian ships no grpc_reflection module, so the
reflection service's own few messages are declared here).

    python3 reflect.py --addr HOST:PORT --request REQUEST.json
        [--token-file FILE] [--requests DIR]

REQUEST.json is a GenerateReportRequest in protojson (as in examples/).
GenerateReport, GenerateReports, ValidateDocument, TransformDocument and
ListTemplates are called with requests made from it and from the documents
it yields; any other method of the service needs DIR/METHOD.json (a request
in protojson), and the run fails naming the file when it is missing. One
line per call on stdout ("ok METHOD: ..."); exit 0 when every call did what
it should.
"""

import argparse
import base64
import json
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

REPORT_SERVICE = "reportgen.v1.ReportService"
REFLECTION = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def reflection_messages():
    """The messages of grpc/reflection/v1/reflection.proto that this client
    uses, declared field by field (same names and numbers as upstream)."""
    f = descriptor_pb2.FileDescriptorProto(name="client/reflection_v1.proto", package="grpc.reflection.v1", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto

    def message(name, *fields):
        m = f.message_type.add(name=name)
        for fname, number, ftype, label, type_name, oneof in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
            if oneof is not None:
                fd.oneof_index = oneof
        return m

    opt, rep = T.LABEL_OPTIONAL, T.LABEL_REPEATED
    req = message("ServerReflectionRequest",
                  ("host", 1, T.TYPE_STRING, opt, None, None),
                  ("file_by_filename", 3, T.TYPE_STRING, opt, None, 0),
                  ("file_containing_symbol", 4, T.TYPE_STRING, opt, None, 0),
                  ("list_services", 7, T.TYPE_STRING, opt, None, 0))
    req.oneof_decl.add(name="message_request")
    resp = message("ServerReflectionResponse",
                   ("valid_host", 1, T.TYPE_STRING, opt, None, None),
                   ("file_descriptor_response", 4, T.TYPE_MESSAGE, opt, ".grpc.reflection.v1.FileDescriptorResponse", 0),
                   ("list_services_response", 6, T.TYPE_MESSAGE, opt, ".grpc.reflection.v1.ListServiceResponse", 0),
                   ("error_response", 7, T.TYPE_MESSAGE, opt, ".grpc.reflection.v1.ErrorResponse", 0))
    resp.oneof_decl.add(name="message_response")
    message("FileDescriptorResponse", ("file_descriptor_proto", 1, T.TYPE_BYTES, rep, None, None))
    message("ListServiceResponse", ("service", 1, T.TYPE_MESSAGE, rep, ".grpc.reflection.v1.ServiceResponse", None))
    message("ServiceResponse", ("name", 1, T.TYPE_STRING, opt, None, None))
    message("ErrorResponse", ("error_code", 1, T.TYPE_INT32, opt, None, None), ("error_message", 2, T.TYPE_STRING, opt, None, None))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    factory = message_factory.MessageFactory(pool)
    get = lambda n: factory.GetPrototype(pool.FindMessageTypeByName("grpc.reflection.v1." + n))
    return get("ServerReflectionRequest"), get("ServerReflectionResponse")


class Reflection:
    """One reflection stream, one request at a time."""

    def __init__(self, channel):
        self.Request, self.Response = reflection_messages()
        self.requests = []
        call = channel.stream_stream(REFLECTION, request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=self.Response.FromString)
        self.queue = _Queue()
        # Reflection needs no token: it describes the API, never data.
        self.responses = call(iter(self.queue))

    def ask(self, **request):
        self.queue.put(self.Request(**request))
        resp = next(self.responses)
        if resp.HasField("error_response"):
            raise RuntimeError(f"reflection error {resp.error_response.error_code}: {resp.error_response.error_message}")
        return resp

    def close(self):
        self.queue.put(None)


class _Queue:
    """A blocking iterator the stream reads its requests from."""

    def __init__(self):
        import queue
        self.q = queue.Queue()

    def put(self, item):
        self.q.put(item)

    def __iter__(self):
        while True:
            item = self.q.get()
            if item is None:
                return
            yield item


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", default="127.0.0.1:50051")
    ap.add_argument("--request", required=True)
    ap.add_argument("--token-file")
    ap.add_argument("--requests")
    args = ap.parse_args()

    channel = grpc.insecure_channel(args.addr, options=[("grpc.max_receive_message_length", 64 << 20)])
    metadata = []
    if args.token_file:
        with open(args.token_file) as f:
            metadata = [("authorization", "Bearer " + f.read().strip())]

    # Learn every service's files. The server lists the asked-for file
    # first and each file before the files it imports, and leaves out files
    # it sent earlier on the stream; so each answer reversed, in the order
    # answered, adds every import before its importers, as the pool needs.
    refl = Reflection(channel)
    services = [s.name for s in refl.ask(list_services="*").list_services_response.service]
    pool = descriptor_pool.DescriptorPool()
    for name in services:
        if name.startswith("grpc.reflection."):
            continue
        files = refl.ask(file_containing_symbol=name).file_descriptor_response.file_descriptor_proto
        for raw in reversed(files):
            pool.Add(descriptor_pb2.FileDescriptorProto.FromString(raw))
    refl.close()
    factory = message_factory.MessageFactory(pool)
    service = pool.FindServiceByName(REPORT_SERVICE)

    failures = []

    def check(ok, line):
        print(("ok " if ok else "FAIL ") + line, flush=True)
        if not ok:
            failures.append(line)

    def classes(m):
        return factory.GetPrototype(m.input_type), factory.GetPrototype(m.output_type)

    def unary(m, req_json):
        In, Out = classes(m)
        call = channel.unary_unary(f"/{m.containing_service.full_name}/{m.name}",
                                   request_serializer=lambda x: x.SerializeToString(), response_deserializer=Out.FromString)
        return call(json_format.ParseDict(req_json, In()), metadata=metadata, timeout=60)

    def bidi(m, req_jsons):
        In, Out = classes(m)
        call = channel.stream_stream(f"/{m.containing_service.full_name}/{m.name}",
                                     request_serializer=lambda x: x.SerializeToString(), response_deserializer=Out.FromString)
        return list(call(iter([json_format.ParseDict(j, In()) for j in req_jsons]), metadata=metadata, timeout=60))

    method = lambda name: service.methods_by_name[name]
    with open(args.request) as f:
        request = json.load(f)
    done = set()
    CDA, SR = 1, 2  # reportgen.v1.DocumentKind

    gen = unary(method("GenerateReport"), request)
    docs = {d.kind: d for d in gen.documents}
    check(CDA in docs and SR in docs, f"GenerateReport: template {gen.template_id}, CDA {len(docs[CDA].content)} bytes, SR {len(docs[SR].content)} bytes")
    done.add("GenerateReport")

    answers = bidi(method("GenerateReports"), [{"request": dict(request, requestId=i)} for i in ("py-1", "py-2")])
    ids = ",".join(sorted(a.request_id for a in answers))
    check(ids == "py-1,py-2" and all(a.WhichOneof("result") == "response" for a in answers), f"GenerateReports: {len(answers)} responses ({ids})")
    done.add("GenerateReports")

    for kind, label in ((CDA, "CDA"), (SR, "SR")):
        v = unary(method("ValidateDocument"), {"content": base64.b64encode(docs[kind].content).decode()})
        check(v.valid and v.kind == kind, f"ValidateDocument: {label} valid={v.valid}, {len(v.issues)} issues")
    done.add("ValidateDocument")

    tr = unary(method("TransformDocument"), {"content": base64.b64encode(docs[SR].content).decode()})
    check(tr.document.kind == CDA and len(tr.document.content) > 0, f"TransformDocument: CDA {len(tr.document.content)} bytes")
    done.add("TransformDocument")

    lt = unary(method("ListTemplates"), {})
    birads = [o for t in lt.templates if t.id == "mammography" for s in t.sections for o in s.observations if o.concept.code == "111005"]
    codes = " ".join(a.code for a in birads[0].answers) if birads else ""
    check(len(lt.templates) > 0 and len(birads) == 1 and len(birads[0].answers) == 6, f"ListTemplates: {len(lt.templates)} templates, BI-RADS answers {codes}")
    done.add("ListTemplates")

    for m in service.methods:
        if m.name in done:
            continue
        path = os.path.join(args.requests, m.name + ".json") if args.requests else ""
        streaming = getattr(m, "client_streaming", False) or getattr(m, "server_streaming", False)
        if not path or not os.path.exists(path) or streaming:
            check(False, f"{m.name}: no request to call it with (add {path or '--requests DIR'} with a unary request in protojson)")
            continue
        with open(path) as f:
            resp = unary(m, json.load(f))
        check(True, f"{m.name}: {len(json_format.MessageToJson(resp))} bytes of JSON")

    health = pool.FindServiceByName("grpc.health.v1.Health")
    h = unary(health.methods_by_name["Check"], {})
    check(h.status == 1, f"Health.Check: status {h.status}")

    channel.close()
    if failures:
        print(f"{len(failures)} call(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
