// @hey-api/openapi-ts: types, an SDK function per operation and the fetch client, generated from
// the committed document. `logs.level` keeps warnings visible; run.sh fails the step on any.
export default {
  input: "../../../openapi/openapi.json",
  output: { path: "generated", module: { extension: ".js" } },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
};
