// The officer's flow through openapi-fetch, typed by openapi-typescript from the committed
// openapi/openapi.json: units, a partner, an assessment drafted by one coordinator and published by
// another, an agreement, activation refused, an exception requested and granted, activation
// accepted, eligibility today and on a past date, the summary report. `tsc --strict` checks every
// path, parameter and body against the document.
//
//   node dist/scenario.js SERVER_URL   (tokens in TOKEN_ADMIN, TOKEN_CORA, TOKEN_PER,
//                                       TOKEN_OFFICER, TOKEN_SECRETARY)

import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

const base = process.argv[2];
if (!base) throw new Error("usage: node dist/scenario.js SERVER_URL");

function client(role: string) {
  const token = process.env[`TOKEN_${role.toUpperCase()}`];
  if (!token) throw new Error(`TOKEN_${role.toUpperCase()} is not set`);
  return createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
}

const admin = client("admin");
const cora = client("cora");
const per = client("per");
const officer = client("officer");
const secretary = client("secretary");
const run = Math.random().toString(16).slice(2, 10);

/** The Stockholm date `days` from today, as YYYY-MM-DD. */
function stockholmDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Stockholm" }).format(d);
}

function ok<T>(name: string, result: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (result.response.status !== status || result.data === undefined) {
    console.log(`FAILED: ${name} -> ${result.response.status}`, JSON.stringify(result.error));
    process.exit(1);
  }
  console.log(`ok: ${name} -> ${result.response.status}`);
  return result.data;
}

for (const [code, type, parentCode] of [
  ["KS", "EXECUTIVE_BOARD", null],
  ["KFN", "COMMITTEE", "KS"],
] as const) {
  const r = await admin.POST("/api/v1/units", {
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
  await cora.POST("/api/v1/partners", {
    body: { name: `Ankara kulturhus ${run}`, kind: "ORGANISATION", countryCode: "TR", city: "Ankara" },
  }),
  201,
);

const meets = { verdict: "MEETS", rationale: "Meets the requirement." } as const;
const draft = ok(
  "assessment of TR drafted",
  await cora.POST("/api/v1/assessments", {
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
  "assessment published by a second coordinator",
  await per.POST("/api/v1/assessments/{id}/publish", {
    params: { path: { id: draft.id }, header: { "If-Match": `"${draft.version}"` } },
  }),
  200,
);

const agreement = ok(
  "agreement registered (Idempotency-Key)",
  await officer.POST("/api/v1/agreements", {
    params: { header: { "Idempotency-Key": `client-ts-${run}` } },
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

const refused = await officer.POST("/api/v1/agreements/{id}/activate", {
  params: { path: { id: agreement.id }, header: { "If-Match": `"${agreement.version}"` } },
});
if (refused.response.status !== 409 || !refused.error?.type.endsWith("/activation-blocked")) {
  console.log("FAILED: activation should be refused", refused.response.status, JSON.stringify(refused.error));
  process.exit(1);
}
console.log(`ok: activation refused -> 409 ${refused.error.type}`);

const requested = ok(
  "exception requested",
  await officer.POST("/api/v1/exceptions", {
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
  await secretary.POST("/api/v1/exceptions/{id}/decision", {
    params: { path: { id: requested.id }, header: { "If-Match": `"${requested.version}"` } },
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

const current = ok(
  "agreement read",
  await officer.GET("/api/v1/agreements/{id}", { params: { path: { id: agreement.id } } }),
  200,
);
const active = ok(
  "activation accepted",
  await officer.POST("/api/v1/agreements/{id}/activate", {
    params: { path: { id: agreement.id }, header: { "If-Match": `"${current.version}"` } },
  }),
  200,
);
if (active.status !== "ACTIVE") throw new Error(`agreement is ${active.status}`);

const today = ok(
  "eligibility today",
  await officer.GET("/api/v1/partners/{id}/eligibility", {
    params: { path: { id: partner.id }, query: { unitCode: "KFN", agreementId: agreement.id } },
  }),
  200,
);
if (today.status !== "ELIGIBLE_BY_EXCEPTION") throw new Error(`eligibility today is ${today.status}`);
// Yesterday nothing had been published for Turkey in this register: point in time.
const yesterday = ok(
  "eligibility on a past date",
  await officer.GET("/api/v1/partners/{id}/eligibility", {
    params: {
      path: { id: partner.id },
      query: { unitCode: "KFN", agreementId: agreement.id, date: stockholmDate(-1) },
    },
  }),
  200,
);
if (yesterday.status !== "ASSESSMENT_REQUIRED") throw new Error(`eligibility yesterday is ${yesterday.status}`);

const report = ok("summary report", await officer.GET("/api/v1/reports/summary", {}), 200);
console.log(`   report: ${JSON.stringify(report).length} bytes`);
console.log("typescript client scenario passed");
