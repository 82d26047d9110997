#!/usr/bin/env node
// Calls every RPC of a reportgen server from Node using only what the
// server serves: the message types come from its gRPC reflection, none
// from a .proto file or generated code. It is the Node example of the
// README and the test that a Node client can do it.
//
//   node reflect.mjs --addr HOST:PORT --request REQUEST.json
//       [--token-file FILE] [--requests DIR]
//
// REQUEST.json is a GenerateReportRequest in protojson (as in examples/).
// GenerateReport, GenerateReports, ValidateDocument, TransformDocument and
// ListTemplates are called with requests made from it and from the
// documents it yields; any other method of the service needs DIR/METHOD.json
// (a request in protojson), and the run fails naming the file when it is
// missing. One line per call on stdout ("ok METHOD: ..."); exit 0 when
// every call did what it should.

import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { create, createFileRegistry, fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const REPORT_SERVICE = "reportgen.v1.ReportService";
const REFLECTION = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

const { values: opts } = parseArgs({
  options: {
    addr: { type: "string", default: "127.0.0.1:50051" },
    request: { type: "string" },
    "token-file": { type: "string" },
    requests: { type: "string" },
  },
});
if (!opts.request) {
  console.error("usage: node reflect.mjs --addr HOST:PORT --request REQUEST.json [--token-file FILE] [--requests DIR]");
  process.exit(2);
}

const client = new grpc.Client(opts.addr, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
if (opts["token-file"]) {
  metadata.set("authorization", "Bearer " + readFileSync(opts["token-file"], "utf8").trim());
}

// The reflection service's own messages are written and read by hand on
// the wire (grpc/reflection/v1/reflection.proto): they are the one thing a
// client must know before it can learn anything else.
class Reflection {
  constructor() {
    // Reflection needs no token: it describes the API, never data.
    this.stream = client.makeBidiStreamRequest(REFLECTION, (b) => Buffer.from(b), (b) => b, new grpc.Metadata());
    this.waiting = [];
    this.stream.on("data", (b) => this.waiting.shift().resolve(b));
    this.stream.on("error", (e) => this.waiting.splice(0).forEach((w) => w.reject(e)));
  }
  // ask sends one request: field 3 file_by_filename, 4
  // file_containing_symbol, 7 list_services.
  ask(field, value) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.stream.write(new BinaryWriter().tag(field, WireType.LengthDelimited).string(value).finish());
    }).then(parseReflection);
  }
  close() {
    this.stream.end();
  }
}

function parseReflection(buf) {
  const out = { files: [], services: [], error: null };
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 4 || no === 6 || no === 7) {
      const inner = new BinaryReader(r.bytes());
      const err = {};
      while (inner.pos < inner.len) {
        const [n, w] = inner.tag();
        if (no === 4 && n === 1) out.files.push(inner.bytes()); // FileDescriptorResponse.file_descriptor_proto
        else if (no === 6 && n === 1) out.services.push(serviceName(inner.bytes())); // ListServiceResponse.service
        else if (no === 7 && n === 1) err.code = inner.int32();
        else if (no === 7 && n === 2) err.message = inner.string();
        else inner.skip(w);
      }
      if (no === 7) out.error = err;
    } else {
      r.skip(wt);
    }
  }
  if (out.error) throw new Error(`reflection error ${out.error.code}: ${out.error.message}`);
  return out;
}

function serviceName(buf) {
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const [n, w] = r.tag();
    if (n === 1) return r.string();
    r.skip(w);
  }
  return "";
}

// Learn every service's files. The server lists the asked-for file first
// and each file before the files it imports, and leaves out files it sent
// earlier on the stream; so each answer reversed, in the order answered,
// has every import before its importers, as createFileRegistry needs.
const reflection = new Reflection();
const services = (await reflection.ask(7, "*")).services;
const files = [];
for (const name of services) {
  if (name.startsWith("grpc.reflection.")) continue;
  const answer = await reflection.ask(4, name);
  files.push(...answer.files.map((b) => fromBinary(FileDescriptorProtoSchema, b)).reverse());
}
reflection.close();
const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: files }));
const service = registry.getService(REPORT_SERVICE);
if (!service) throw new Error(`the server does not describe ${REPORT_SERVICE}`);

const method = (s, name) => {
  const m = s.methods.find((m) => m.name === name);
  if (!m) throw new Error(`${s.typeName} has no method ${name}`);
  return m;
};
const path = (m) => `/${m.parent.typeName}/${m.name}`;

function unary(m, json) {
  const req = fromJson(m.input, json, { registry });
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path(m), (x) => Buffer.from(toBinary(m.input, x)), (b) => fromBinary(m.output, b), req, metadata,
      (err, resp) => (err ? reject(new Error(`${m.name}: ${err.code} ${err.details}`)) : resolve(resp)));
  });
}

function bidi(m, jsons) {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(path(m), (x) => Buffer.from(toBinary(m.input, x)), (b) => fromBinary(m.output, b), metadata);
    const got = [];
    call.on("data", (r) => got.push(r));
    call.on("error", (e) => reject(new Error(`${m.name}: ${e.code} ${e.details}`)));
    call.on("end", () => resolve(got));
    for (const j of jsons) call.write(fromJson(m.input, j, { registry }));
    call.end();
  });
}

const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const failures = [];
const check = (ok, line) => {
  console.log(`${ok ? "ok" : "FAIL"} ${line}`);
  if (!ok) failures.push(line);
};

const request = JSON.parse(readFileSync(opts.request, "utf8"));
const done = new Set();

// GenerateReport: both documents.
const gen = await unary(method(service, "GenerateReport"), request);
const docs = Object.fromEntries(gen.documents.map((d) => [d.kind, d]));
const CDA = 1, SR = 2; // reportgen.v1.DocumentKind
check(docs[CDA] && docs[SR], `GenerateReport: template ${gen.templateId}, CDA ${docs[CDA]?.content.length} bytes, SR ${docs[SR]?.content.length} bytes`);
done.add("GenerateReport");

// GenerateReports: two requests on one stream, answered by request_id.
const stream = await bidi(method(service, "GenerateReports"), [
  { request: { ...request, requestId: "node-1" } },
  { request: { ...request, requestId: "node-2" } },
]);
const ids = stream.map((r) => r.requestId).sort().join(",");
check(ids === "node-1,node-2" && stream.every((r) => r.result.case === "response"), `GenerateReports: ${stream.length} responses (${ids})`);
done.add("GenerateReports");

// ValidateDocument: the documents just made are valid.
for (const [kind, label] of [[CDA, "CDA"], [SR, "SR"]]) {
  const v = await unary(method(service, "ValidateDocument"), { content: b64(docs[kind].content) });
  check(v.valid && v.kind === kind, `ValidateDocument: ${label} valid=${v.valid}, ${v.issues.length} issues`);
}
done.add("ValidateDocument");

// TransformDocument: the SR back to a CDA.
const tr = await unary(method(service, "TransformDocument"), { content: b64(docs[SR].content) });
check(tr.document?.kind === CDA && tr.document.content.length > 0, `TransformDocument: CDA ${tr.document?.content.length} bytes`);
done.add("TransformDocument");

// ListTemplates: enough to build a form, e.g. the BI-RADS answers.
const lt = await unary(method(service, "ListTemplates"), {});
const mammo = lt.templates.find((t) => t.id === "mammography");
const birads = mammo?.sections.flatMap((s) => s.observations).find((o) => o.concept?.code === "111005");
check(lt.templates.length > 0 && birads?.answers.length === 6, `ListTemplates: ${lt.templates.length} templates, BI-RADS answers ${birads?.answers.map((a) => a.code).join(" ")}`);
done.add("ListTemplates");

// Every other method of the service, from DIR/METHOD.json.
for (const m of service.methods) {
  if (done.has(m.name)) continue;
  const file = opts.requests ? join(opts.requests, `${m.name}.json`) : "";
  if (!file || !existsSync(file) || m.methodKind !== "unary") {
    check(false, `${m.name}: no request to call it with (add ${file || "--requests DIR"} with a unary request in protojson)`);
    continue;
  }
  const resp = await unary(m, JSON.parse(readFileSync(file, "utf8")));
  check(true, `${m.name}: ${JSON.stringify(toJson(m.output, resp, { registry })).length} bytes of JSON`);
}

// Health, from its reflected description too.
const health = registry.getService("grpc.health.v1.Health");
const h = await unary(method(health, "Check"), {});
check(h.status === 1, `Health.Check: status ${h.status}`);

client.close();
if (failures.length > 0) {
  console.error(`${failures.length} call(s) failed`);
  process.exit(1);
}
