// A client in a second language: Node's grpc-js and proto-loader over umarvel's proto/ files, with mutual TLS and a
// bearer token, as a Node user would write it. NodeClientTest hands it a JSON file (the services' addresses, the
// credentials, the calls to make) and compares what it prints with what the Java client gets for the same calls.
//
//   node client.js config.json   ->   {"reflection": {target: [service, ...]}, "calls": [{name, code, details, response}]}
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// keepCase: the proto's own field names (top_k, not topK); enums by name; bytes as base64, as proto3 JSON writes them
const definition = protoLoader.loadSync(
  ['umarvel/v1/retrieval.proto', 'umarvel/v1/embedder.proto', 'umarvel/v1/reranker.proto', 'umarvel/v1/trainer.proto',
    'grpc/reflection/v1/reflection.proto'],
  { keepCase: true, longs: String, enums: String, bytes: String, defaults: false, oneofs: false, includeDirs: config.protoDirs });
const api = grpc.loadPackageDefinition(definition);

const tls = grpc.credentials.createSsl(fs.readFileSync(config.ca), fs.readFileSync(config.key), fs.readFileSync(config.cert));
const bearer = grpc.credentials.createFromMetadataGenerator((_, done) => {
  const metadata = new grpc.Metadata();
  metadata.add('authorization', 'Bearer ' + config.token);
  done(null, metadata);
});

function client(service, target, withToken) {
  const Stub = service.split('.').reduce((o, part) => o[part], api);
  return new Stub(config.targets[target], withToken ? grpc.credentials.combineChannelCredentials(tls, bearer) : tls);
}

/** The services a target lists through server reflection (v1). */
function listServices(target) {
  return new Promise((resolve, reject) => {
    const call = client('grpc.reflection.v1.ServerReflection', target, true).ServerReflectionInfo();
    call.on('data', (r) => resolve(r.list_services_response.service.map((s) => s.name).sort()));
    call.on('error', reject);
    call.write({ list_services: '' });
    call.end();
  });
}

/** One call as {name, code, details, response}: a unary answer, or a server stream's last message. */
function run(c) {
  const stub = client(c.service, c.target, c.auth !== false);
  const method = definition[c.service][c.method];
  return new Promise((resolve) => {
    const done = (err, response) => resolve({ name: c.name, code: err ? err.code : 0, details: err ? err.details : '', response: response || null });
    if (method.responseStream) {
      let last = null;
      const call = stub[c.method](c.request);
      call.on('data', (m) => { last = m; });
      call.on('error', (e) => done(e));
      call.on('end', () => done(null, last));
    } else {
      stub[c.method](c.request, done);
    }
  });
}

(async () => {
  const reflection = {};
  for (const target of Object.keys(config.targets)) {
    reflection[target] = await listServices(target);
  }
  const calls = [];
  for (const c of config.calls) {
    calls.push(await run(c));
  }
  process.stdout.write(JSON.stringify({ reflection, calls }) + '\n');
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e.stack || e) + '\n');
  process.exit(1);
});
