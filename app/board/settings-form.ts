/**
 * The Settings page's form ↔ LifecycleSettings. Pure: parses the posted fields and reports every error on the field at
 * fault as an i18n message (key + values); the ranges are the model's (checkLifecycleSettings, SETTING_RANGES), shown
 * here in the form's units (the percentile as a percentage).
 */
import {
  SETTING_RANGES,
  checkLifecycleSettings,
  type LapseMode,
  type LifecycleSettings,
  type NumberSetting,
  type SettingField,
  type SettingRange,
  type SettingsMessageKey,
  type TierField,
} from "../lifecycle";

export type SettingsGroup = "lapse" | "cadence" | "winback" | "regular";
export type FieldKind = "days" | "count" | "gaps" | "percent" | "multiplier";

export interface NumberField {
  key: NumberSetting | TierField;
  kind: FieldKind;
  group: SettingsGroup;
}

/** Every number the merchant can change, in the order the page shows them. */
export const NUMBER_FIELDS: readonly NumberField[] = [
  { key: "fixedLapseDays", kind: "days", group: "lapse" },
  { key: "shopGapPercentile", kind: "percent", group: "cadence" },
  { key: "shopThresholdMinDays", kind: "days", group: "cadence" },
  { key: "shopThresholdMaxDays", kind: "days", group: "cadence" },
  { key: "customerMinGaps", kind: "gaps", group: "cadence" },
  { key: "customerGapMultiplier", kind: "multiplier", group: "cadence" },
  { key: "customerThresholdMinDays", kind: "days", group: "cadence" },
  { key: "customerThresholdMaxDays", kind: "days", group: "cadence" },
  { key: "smallShopMinGaps", kind: "gaps", group: "cadence" },
  { key: "smallShopFallbackDays", kind: "days", group: "cadence" },
  { key: "winbackTierDays.0", kind: "days", group: "winback" },
  { key: "winbackTierDays.1", kind: "days", group: "winback" },
  { key: "winbackTierDays.2", kind: "days", group: "winback" },
  { key: "returnedWindowDays", kind: "days", group: "winback" },
  { key: "regularMinOrders", kind: "count", group: "regular" },
  { key: "regularWindowDays", kind: "days", group: "regular" },
];

export type SettingsField = SettingField | "monthlySessions";
export type SettingsErrorKey = SettingsMessageKey | "settings.error.percentRange" | "settings.error.sessions";

/** A message for the page: an i18n key and its values (numbers raw: the page formats them for the locale). */
export interface SettingsErrorMessage {
  key: SettingsErrorKey;
  values: Record<string, string | number>;
}

/** One reason the form is refused, on the field at fault (null: not about one field; show it above the form). */
export interface SettingsFormError {
  field: SettingsField | null;
  message: SettingsErrorMessage;
}

/** Most monthly sessions the board accepts: more than any single shop's online store gets. */
export const MAX_MONTHLY_SESSIONS = 1_000_000_000;

/** The form's values as text, keyed like the inputs' names. */
export type SettingsFormValues = Record<SettingsField, string> & {
  flowEnabled: boolean;
  flowOnBackfill: boolean;
  sessionsUnknown: boolean;
  highValueTag: boolean;
};

function fieldValue(settings: LifecycleSettings, key: NumberField["key"]): number {
  if (key.startsWith("winbackTierDays.")) return settings.winbackTierDays[Number(key.slice(-1))];
  return settings[key as NumberSetting];
}

/** Stored settings as form text (the percentile as a percentage). */
export function settingsToForm(
  settings: LifecycleSettings,
  flow: { enabled: boolean; onBackfill: boolean },
  monthlySessions: number | null,
  highValueTag = false,
): SettingsFormValues {
  const values = {
    lapseMode: settings.lapseMode,
    tagPrefix: settings.tagPrefix,
    monthlySessions: monthlySessions == null ? "" : String(monthlySessions),
    sessionsUnknown: monthlySessions == null,
    flowEnabled: flow.enabled,
    flowOnBackfill: flow.onBackfill,
    highValueTag,
  } as SettingsFormValues;
  for (const field of NUMBER_FIELDS) {
    const v = fieldValue(settings, field.key);
    values[field.key] = field.kind === "percent" ? String(Math.round(v * 1000) / 10) : String(v);
  }
  return values;
}

export type ParsedSettings =
  | {
      ok: true;
      settings: LifecycleSettings;
      flow: { enabled: boolean; onBackfill: boolean };
      monthlySessions: number | null;
      highValueTag: boolean;
    }
  | { ok: false; errors: SettingsFormError[] };

/** The range a field takes in the form: the model's range, the percentile as a percentage. */
export function formRange(field: NumberField): SettingRange {
  const range = field.key.startsWith("winbackTierDays.")
    ? SETTING_RANGES.winbackTierDays
    : SETTING_RANGES[field.key as NumberSetting];
  return field.kind === "percent"
    ? { min: Math.round(range.min * 100), max: Math.round(range.max * 100), integer: false }
    : range;
}

function rangeError(field: NumberField): SettingsErrorMessage {
  const range = formRange(field);
  const key =
    field.kind === "percent"
      ? "settings.error.percentRange"
      : range.integer
        ? "settings.error.wholeRange"
        : "settings.error.range";
  return { key, values: { min: range.min, max: range.max } };
}

/** A typed number, decimal comma or point; NaN when it is not one. */
function parseNumber(text: string): number {
  const normalized = text.trim().replace(",", ".");
  return normalized && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(normalized) ? Number(normalized) : NaN;
}

/**
 * Reads the posted form (FormData entries as strings; checkboxes "on" when ticked). Every number is checked against
 * the model's range by checkLifecycleSettings, the same check a stored setting must pass; each error is on the field
 * at fault. Preview and Save both go through here.
 */
export function parseSettingsForm(form: Record<string, string | undefined>): ParsedSettings {
  const errors: SettingsFormError[] = [];
  const raw: Record<string, unknown> = {};
  raw.lapseMode = (form.lapseMode === "fixed" ? "fixed" : "cadence") satisfies LapseMode;
  const tiers: number[] = [];
  for (const field of NUMBER_FIELDS) {
    let value = parseNumber(form[field.key] ?? "");
    if (Number.isNaN(value)) errors.push({ field: field.key, message: rangeError(field) });
    else if (field.kind === "percent") value /= 100;
    // An unreadable number goes on as NaN: the model reports nothing more on it, and compares nothing with it.
    if (field.key.startsWith("winbackTierDays.")) tiers[Number(field.key.slice(-1))] = value;
    else raw[field.key] = value;
  }
  raw.winbackTierDays = tiers;
  raw.tagPrefix = form.tagPrefix ?? "";

  const checked = checkLifecycleSettings(raw);
  if (!checked.ok) {
    for (const problem of checked.problems) {
      if (errors.some((e) => e.field === problem.field)) continue;
      const field = NUMBER_FIELDS.find((f) => f.key === problem.field);
      const isRange =
        problem.message.key === "settings.error.range" || problem.message.key === "settings.error.wholeRange";
      errors.push({ field: problem.field, message: field && isRange ? rangeError(field) : problem.message });
    }
  }

  let monthlySessions: number | null = null;
  if (form.sessionsUnknown !== "on") {
    const text = (form.monthlySessions ?? "").trim().replace(/[\s,.'’]/g, "");
    const sessions = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(sessions) || sessions <= 0 || sessions > MAX_MONTHLY_SESSIONS) {
      errors.push({
        field: "monthlySessions",
        message: { key: "settings.error.sessions", values: { max: MAX_MONTHLY_SESSIONS } },
      });
    } else monthlySessions = sessions;
  }

  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return {
    ok: true,
    settings: checked.settings,
    flow: { enabled: form.flowEnabled === "on", onBackfill: form.flowOnBackfill === "on" },
    monthlySessions,
    highValueTag: form.highValueTag === "on",
  };
}

/** The first error of each field, and the errors that belong to no field, for rendering. */
export function errorsByField(errors: readonly SettingsFormError[]): {
  fields: Partial<Record<SettingsField, SettingsErrorMessage>>;
  general: SettingsErrorMessage[];
} {
  const fields: Partial<Record<SettingsField, SettingsErrorMessage>> = {};
  const general: SettingsErrorMessage[] = [];
  for (const error of errors) {
    if (error.field === null) general.push(error.message);
    else fields[error.field] ??= error.message;
  }
  return { fields, general };
}

/** The group each field is shown in. */
export function fieldsOf(group: SettingsGroup): readonly NumberField[] {
  return NUMBER_FIELDS.filter((f) => f.group === group);
}
