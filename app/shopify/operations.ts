/**
 * What an Admin document returns and takes, from the types `npm run graphql-codegen` generates out of the 2026-10
 * schema (app/types, @shopify/api-codegen-preset): keyed by the document's own text, as Shopify's clients type
 * `admin.graphql`. A document built at run time (the aliased tag and Flow batches) is a plain string: its caller
 * states the shape as the request's type argument (`Stated`), from the generated type of the mutation it repeats.
 */
import type { AdminOperations } from "@shopify/admin-api-client";

export type AdminResultOf<Document extends string> = Document extends keyof AdminOperations
  ? AdminOperations[Document]["return"]
  : unknown;

/** The generated result of a checked-in document, or the shape its caller states for one built at run time. */
export type AdminResponseData<Stated, Document extends string> = [Stated] extends [never]
  ? AdminResultOf<Document>
  : Stated;

export type AdminVariablesOf<Document extends string> = Document extends keyof AdminOperations
  ? AdminOperations[Document]["variables"]
  : Record<string, unknown>;
