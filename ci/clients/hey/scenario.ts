// The officer's flow through the SDK that @hey-api/openapi-ts generated from the committed
// openapi/openapi.json (one function per operation, named by its operationId): units, a partner,
// an assessment drafted by one coordinator and published by another, an agreement, activation
// refused, an exception requested and granted, activation accepted, eligibility today and on a past
// date, the summary report. `tsc --strict` checks every call against the generated types.
//
//   node dist/scenario.js SERVER_URL   (tokens in TOKEN_ADMIN, TOKEN_CORA, TOKEN_PER,
//                                       TOKEN_OFFICER, TOKEN_SECRETARY)

import { createClient } from "./generated/client/index.js";
import * as sdk from "./generated/sdk.gen.js";

const base = process.argv[2];
if (!base) throw new Error("usage: node dist/scenario.js SERVER_URL");

function client(role: string) {
  const token = process.env[`TOKEN_${role.toUpperCase()}`];
  if (!token) throw new Error(`TOKEN_${role.toUpperCase()} is not set`);
  return createClient({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
}

const admin = client("admin");
const cora = client("cora");
const per = client("per");
const officer = client("officer");
const secretary = client("secretary");
const run = Math.random().toString(16).slice(2, 10);

function ok<T>(name: string, result: { data?: T; error?: unknown; response?: Response }, status: number): T {
  const got = result.response?.status;
  if (got !== status || result.data === undefined) {
    console.log(`FAILED: ${name} -> ${got}`, JSON.stringify(result.error));
    process.exit(1);
  }
  console.log(`ok: ${name} -> ${got}`);
  return result.data;
}

/** The Stockholm date `days` from today, as YYYY-MM-DD. */
function stockholmDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Stockholm" }).format(d);
}

for (const [code, type, parentCode] of [
  ["KS", "EXECUTIVE_BOARD", null],
  ["KFN", "COMMITTEE", "KS"],
] as const) {
  const r = await sdk.createUnit({
    client: admin,
    body: { code, name: `Enhet ${code}`, type, ...(parentCode ? { parentCode } : {}) },
  });
  // Created once per database; a rerun finds them (409).
  if (r.response.status !== 201 && r.response.status !== 409) {
    console.log("FAILED: units", r.response.status, JSON.stringify(r.error));
    process.exit(1);
  }
}
console.log("ok: units KS and KFN");

const partner = ok(
  "partner in Turkey",
  await sdk.createPartner({
    client: cora,
    body: { name: `Izmir kulturcentrum ${run}`, kind: "ORGANISATION", countryCode: "TR", city: "Izmir" },
  }),
  201,
);

const meets = { verdict: "MEETS", rationale: "Meets the requirement." } as const;
const draft = ok(
  "assessment of TR drafted",
  await sdk.createAssessment({
    client: cora,
    body: {
      countryCode: "TR",
      humanRights: meets,
      democracy: { verdict: "DOES_NOT_MEET", rationale: "Does not meet the requirement." },
      ruleOfLaw: meets,
      assessedAt: stockholmDate(-30),
      validUntil: stockholmDate(400),
    },
  }),
  201,
);
ok(
  "assessment published by a second coordinator (no body)",
  await sdk.publishAssessment({
    client: per,
    path: { id: draft.id },
    headers: { "If-Match": `"${draft.version}"` },
  }),
  200,
);

const agreement = ok(
  "agreement registered (Idempotency-Key)",
  await sdk.createAgreement({
    client: officer,
    headers: { "Idempotency-Key": `client-hey-${run}` },
    body: {
      title: `Kulturutbyte ${run}`,
      type: "KNOWLEDGE_EXCHANGE",
      unitCode: "KFN",
      partnerIds: [partner.id],
      purposes: ["KNOWLEDGE_EXCHANGE"],
      sdgs: [4, 11],
      startDate: stockholmDate(30),
      endDate: stockholmDate(395),
      caseNumber: "KS 2026-00123",
    },
  }),
  201,
);

const refused = await sdk.activateAgreement({
  client: officer,
  path: { id: agreement.id },
  headers: { "If-Match": `"${agreement.version}"` },
});
const refusal = refused.error as { type?: string } | undefined;
if (refused.response.status !== 409 || !refusal?.type?.endsWith("/activation-blocked")) {
  console.log("FAILED: activation should be refused", refused.response.status, JSON.stringify(refused.error));
  process.exit(1);
}
console.log(`ok: activation refused -> 409 ${refusal.type}`);

const requested = ok(
  "exception requested",
  await sdk.requestException({
    client: officer,
    body: {
      agreementId: agreement.id,
      partnerId: partner.id,
      justification: "Ett viktigt kulturutbyte.",
      caseNumber: "KS 2026-00456",
    },
  }),
  201,
);
const granted = ok(
  "exception granted by the board secretary",
  await sdk.decideException({
    client: secretary,
    path: { id: requested.id },
    headers: { "If-Match": `"${requested.version}"` },
    body: {
      decision: "GRANTED",
      decidingBody: "KOMMUNSTYRELSEN",
      decidedAt: stockholmDate(0),
      protocolParagraph: "§ 448",
      validFrom: stockholmDate(0),
      validUntil: stockholmDate(400),
    },
  }),
  200,
);
if (granted.status !== "GRANTED") throw new Error(`exception is ${granted.status}`);

const current = ok("agreement read", await sdk.getAgreement({ client: officer, path: { id: agreement.id } }), 200);
const active = ok(
  "activation accepted",
  await sdk.activateAgreement({
    client: officer,
    path: { id: agreement.id },
    headers: { "If-Match": `"${current.version}"` },
  }),
  200,
);
if (active.status !== "ACTIVE") throw new Error(`agreement is ${active.status}`);

const today = ok(
  "eligibility today",
  await sdk.getPartnerEligibility({
    client: officer,
    path: { id: partner.id },
    query: { unitCode: "KFN", agreementId: agreement.id },
  }),
  200,
);
if (today.status !== "ELIGIBLE_BY_EXCEPTION") throw new Error(`eligibility today is ${today.status}`);
// Yesterday nothing had been published for Turkey in this register: point in time.
const yesterday = ok(
  "eligibility on a past date",
  await sdk.getPartnerEligibility({
    client: officer,
    path: { id: partner.id },
    query: { unitCode: "KFN", agreementId: agreement.id, date: stockholmDate(-1) },
  }),
  200,
);
if (yesterday.status !== "ASSESSMENT_REQUIRED") throw new Error(`eligibility yesterday is ${yesterday.status}`);

const report = ok("summary report", await sdk.getSummaryReport({ client: officer }), 200);
console.log(`   report: ${JSON.stringify(report).length} bytes`);
console.log("hey-api client scenario passed");
