// A client in another language, as a user would write one: the types come from
// generated/openapi/openapi.json through openapi-typescript, and `cargo xtask
// openapi-check` type-checks this file against them with `tsc --strict`. A document that
// lost an operation, a required field or a webhook would fail here.
import type { components, operations, paths, webhooks } from "./lark";

// Sending a message: the body's required fields are required here too.
type Send = operations["im.v1.message.create"];
export const body: Send["requestBody"]["content"]["application/json"] = {
  receive_id: "oc_1",
  msg_type: "text",
  content: JSON.stringify({ text: "hello" }),
};
export const query: Send["parameters"]["query"] = { receive_id_type: "chat_id" };
type Sent = Send["responses"][200]["content"]["application/json"];
export const messageId = (answer: Sent): string | undefined => answer.data.message_id;

// A path template and its parameters.
type GetChat = paths["/open-apis/im/v1/chats/{chat_id}"]["get"];
export const chat: GetChat["parameters"]["path"] = { chat_id: "oc_1" };

// Errors share one envelope with the platform's field violations.
type Failure = components["schemas"]["lark.ErrorEnvelope"];
export const violations = (e: Failure): string[] => (e.error?.field_violations ?? []).map((v) => v.field ?? "");

// Events arrive as webhooks: the v2 header and the typed payload.
type Receive = webhooks["im.message.receive_v1"]["post"]["requestBody"]["content"]["application/json"];
export const eventType = (push: Receive): string => push.header.event_type;

// A paged list and a token endpoint that takes no token.
type ListUsers = operations["contact.v3.user.list"];
export const page: NonNullable<ListUsers["parameters"]["query"]> = { page_size: 50 };
type TenantToken = operations["auth.v3.tenant_access_token.internal"];
export const credentials: TenantToken["requestBody"]["content"]["application/json"] = {
  app_id: "cli_1",
  app_secret: "secret",
};
