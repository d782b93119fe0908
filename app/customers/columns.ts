/**
 * The customers table's columns, shared by the page and the CSV export so both always have the same columns in
 * the same order: the page renders a cell per column, the CSV one or more fields per column (typed against these
 * ids, so a new column cannot be left out of the export).
 */
import type { MessageKey } from "../i18n/messages";

export interface CustomerColumn {
  id: string;
  title: MessageKey;
  /** Right-aligned on the page. */
  numeric: boolean;
  /** Explains a short heading (shown as the heading's tooltip). */
  help?: MessageKey;
}

export const CUSTOMER_COLUMNS = [
  { id: "customer", title: "customers.col.customer", numeric: false },
  { id: "stage", title: "customers.col.stage", numeric: false },
  { id: "daysSince", title: "customers.col.daysSince", numeric: true },
  { id: "orders", title: "customers.col.orders", numeric: true },
  { id: "netSpent", title: "customers.col.netSpent", numeric: true },
  { id: "predicted", title: "customers.col.predicted", numeric: true, help: "customers.col.predicted.help" },
  { id: "alive", title: "customers.col.alive", numeric: true, help: "customers.col.alive.help" },
] as const satisfies readonly CustomerColumn[];

export type CustomerColumnId = (typeof CUSTOMER_COLUMNS)[number]["id"];

/** The column the page sorts by predicted value. */
export const PREDICTED_COLUMN_INDEX = CUSTOMER_COLUMNS.findIndex((c) => c.id === "predicted");
