// A frontend developer's first contact with the contract: types generated from the committed
// openapi/openapi.json by openapi-typescript, a tiny typed client, and a walk through a few
// endpoints against a live server. `tsc` must compile it (CI), and `node build/client.js` must run
// it (CI, against the server .ci/gates starts).
import type { components, paths } from "./generated/schema";

type Organization = components["schemas"]["OrganizationView"];
type OrganizationWrite = components["schemas"]["OrganizationWrite"];
type OrganizationList = components["schemas"]["OrganizationList"];
type Problem = components["schemas"]["Problem"];
type TokenResponse = components["schemas"]["TokenResponse"];
type ListQuery = NonNullable<paths["/api/v1/organizations"]["get"]["parameters"]["query"]>;

const base = process.env.RSNMS_URL ?? "http://127.0.0.1:8080";

async function call<T>(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; etag: string | null }> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      "Accept-Language": "en",
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, etag: res.headers.get("etag") };
}

function expect(cond: boolean, what: string): void {
  if (!cond) {
    throw new Error(`client check failed: ${what}`);
  }
}

async function main(): Promise<void> {
  const password = process.env.RSNMS_ADMIN_PASSWORD ?? "";
  const tok = await call<TokenResponse>("POST", "/api/v1/auth/token", null, { grant_type: "password", username: "admin", password });
  expect(tok.status === 200, `token: ${tok.status}`);
  const token = tok.body.access_token;

  const region: OrganizationWrite = { name: "Министерство образования и науки Республики Бурятия", kind: "regional_authority", region_code: "03", time_zone: "Asia/Irkutsk" };
  const created = await call<Organization>("POST", "/api/v1/organizations", token, region, { "Idempotency-Key": `client-${Date.now()}` });
  expect(created.status === 201 && created.body.level === "regional", `create: ${created.status}`);

  const query: ListQuery = { kind: "regional_authority", limit: 10 };
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const list = await call<OrganizationList>("GET", `/api/v1/organizations?${qs}`, token);
  expect(list.status === 200 && list.body.items.some((o) => o.id === created.body.id), "list contains the new organisation");

  const patched = await call<Organization>("PATCH", `/api/v1/organizations/${created.body.id}`, token, { short_name: "Минобрнауки РБ" }, { "If-Match": created.etag ?? "" });
  expect(patched.status === 200 && patched.body.short_name === "Минобрнауки РБ", `patch: ${patched.status}`);

  const bad = await call<Problem>("POST", "/api/v1/organizations", token, { kind: "regional_authority", region_code: "3" });
  expect(bad.status === 422 && (bad.body.errors ?? []).map((e) => e.field).includes("name"), "validation problem names the field");

  console.log(`typed client: ok (${list.body.items.length} organisations listed)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
