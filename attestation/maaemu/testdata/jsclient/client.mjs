// Drives cvmscope's MAA emulator as a relying party would, with Microsoft's JS SDK
// (@azure/attestation) and npm jose. Run by TestJSClient (jsclient_test.go), which starts
// the emulator and passes, in the file named by argv[2]:
//   url        the emulator's base URL (https, its test CA in NODE_EXTRA_CA_CERTS)
//   snpBody, tdxBody   SevSnpVm and TdxVm request bodies from the simulated CVM
//   guestTokens        AzureGuest tokens (the answer is encrypted to the vTPM, so Go
//                      decrypts them)
//   realJwks, realToken   a real MAA key set and token, for parity
// Every check throws on failure; the last line on stdout is a JSON summary.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import sdk from "@azure/attestation";
import * as jose from "jose";

const { AttestationClient, AttestationAdministrationClient, createAttestationPolicyToken } = sdk;
const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const url = input.url;
const summary = { checks: 0, tokens: 0 };
const ok = (cond, msg) => {
  assert.ok(cond, msg);
  summary.checks++;
};

// 1. The SDK's attestation client: OpenID metadata and signers.
const client = new AttestationClient(url);
const meta = await client.getOpenIdMetadata();
ok(meta.issuer === url && meta.jwks_uri === url + "/certs", `metadata names ${meta.issuer}, ${meta.jwks_uri}`);
const signers = await client.getAttestationSigners();
ok(signers.length === 1 && signers[0].certificates.length === 1, `signers: ${JSON.stringify(signers)}`);
const signerCert = new X509Certificate(signers[0].certificates[0]);
ok(signerCert.subject.split("\n").includes("CN=" + url), `the signing certificate names the provider: ${signerCert.subject}`);

// 2. Tokens: the SevSnpVm and TdxVm calls the SDK has no method for, over the same TLS.
const attest = async (path, body) => {
  const resp = await fetch(url + path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const text = await resp.text();
  ok(resp.status === 200, `${path}: HTTP ${resp.status} ${text}`);
  return JSON.parse(text).token;
};
const tokens = [
  await attest("/attest/SevSnpVm?api-version=2022-08-01", input.snpBody),
  await attest("/attest/TdxVm?api-version=2023-04-01-preview", input.tdxBody),
  ...input.guestTokens,
];
const badVersion = await fetch(url + "/attest/SevSnpVm?api-version=2019-01-01", { method: "POST", body: input.snpBody });
const badBody = await badVersion.json();
ok(badVersion.status === 400 && badBody.error.code === "InvalidApiVersionParameter", `unknown api-version: ${JSON.stringify(badBody)}`);

// 3. The SDK's own token validation (its AttestationToken, reached through the one
// constructor the package exports): signature against the signers, times, issuer.
const AttestationToken = createAttestationPolicyToken("version=1.0;").constructor;
const validation = { validateToken: true, validateExpirationTime: true, validateNotBeforeTime: true, validateIssuer: true, expectedIssuer: url };
for (const t of tokens) {
  const problems = new AttestationToken(t).getTokenProblems(signers, validation);
  ok(problems.length === 0, `SDK token problems: ${problems}`);
  const claims = new AttestationToken(t).getBody();
  const names = Object.keys(claims).concat(Object.keys(claims["x-ms-isolation-tee"] ?? {}));
  for (const n of names) ok(meta.claims_supported.includes(n), `claim ${n} is issued but not in claims_supported`);
  summary.tokens++;
}
const [h, p, s] = tokens[0].split(".");
const forged = [h, jose.base64url.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(jose.base64url.decode(p))), "x-ms-sevsnpvm-is-debuggable": true })), s].join(".");
ok(new AttestationToken(forged).getTokenProblems(signers, validation).length > 0, "the SDK accepted a token whose claims were changed");
ok(new AttestationToken(tokens[0]).getTokenProblems(signers, { ...validation, expectedIssuer: "https://sharedeus.eus.attest.azure.net" }).length > 0,
  "the SDK accepted a token for another issuer");

// 4. The SDK's administration client reads each policy; it sends a bearer token, which
// its pipeline allows only over TLS, and validates the signed answer itself.
const credential = { getToken: async () => ({ token: "emulator-ignores-this", expiresOnTimestamp: Date.now() + 3600e3 }) };
const admin = new AttestationAdministrationClient(url, credential, { validationOptions: validation });
for (const [type, rule] of [["AzureGuest", "secureboot"], ["SevSnpVm", "x-ms-sevsnpvm-is-debuggable"], ["TdxVm", "tdx_td_attributes_debug"]]) {
  const policy = await admin.getPolicy(type);
  ok(policy.body.includes(rule), `${type} policy: ${policy.body}`);
}

// 5. TPM attestation (the VBS protocol) is not emulated: the SDK reads MAA's error shape.
await assert.rejects(client.attestTpm(JSON.stringify({ payload: { type: "aikcert" } })), (e) => e.statusCode === 404 && e.code === "NotFound");
summary.checks++;

// 6. jose. A remote JWK set built from /certs as published fails exactly as it fails on
// real MAA's: the keys carry x5c, not n and e, so WebCrypto cannot import them...
const realJwks = JSON.parse(readFileSync(input.realJwks, "utf8"));
const realToken = readFileSync(input.realToken, "utf8").trim();
const realTime = new Date((jose.decodeJwt(realToken).iat + 60) * 1000); // within its lifetime
const failure = async (p) => p.then(() => "verified", (e) => `${e.name}: ${e.message}`);
const onReal = await failure(jose.jwtVerify(realToken, jose.createLocalJWKSet(realJwks), { currentDate: realTime }));
const onEmulator = await failure(jose.jwtVerify(tokens[0], jose.createRemoteJWKSet(new URL(url + "/certs")), { issuer: url }));
ok(onReal !== "verified" && onEmulator === onReal, `jose with the JWK set as is: real MAA "${onReal}", emulator "${onEmulator}"`);
// ...and a relying party that takes the key from x5c[0], as it must for MAA, verifies
// every token, on both.
const keyOf = async (jwks, kid) => {
  const k = jwks.keys.find((k) => k.kid === kid);
  ok(k !== undefined, `no key ${kid}`);
  return jose.importX509(`-----BEGIN CERTIFICATE-----\n${k.x5c[0]}\n-----END CERTIFICATE-----`, "RS256");
};
const realKid = jose.decodeProtectedHeader(realToken).kid;
await jose.jwtVerify(realToken, await keyOf(realJwks, realKid), { currentDate: realTime });
summary.checks++;
const jwks = await (await fetch(url + "/certs")).json();
for (const t of tokens) {
  const { payload } = await jose.jwtVerify(t, await keyOf(jwks, jose.decodeProtectedHeader(t).kid), { issuer: url, algorithms: ["RS256"] });
  ok(payload["x-ms-ver"] === "1.0", "x-ms-ver");
}
await assert.rejects(jose.jwtVerify(forged, await keyOf(jwks, jose.decodeProtectedHeader(forged).kid)), jose.errors.JWSSignatureVerificationFailed);
summary.checks++;

console.log(JSON.stringify(summary));
