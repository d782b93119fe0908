/**
 * The Settings page's form ↔ LifecycleSettings. Pure: parses the posted fields, reports errors as message keys per
 * field, and leaves the final word to the model's validateLifecycleSettings.
 */
import { TAG_PREFIX_MAX_LENGTH, validateLifecycleSettings, type LapseMode, type LifecycleSettings } from "../lifecycle";

type NumberSetting = {
  [K in keyof LifecycleSettings]: LifecycleSettings[K] extends number ? K : never;
}[keyof LifecycleSettings];

export type SettingsGroup = "lapse" | "cadence" | "winback" | "regular";
export type FieldKind = "days" | "count" | "gaps" | "percent" | "multiplier";

export interface NumberField {
  key: NumberSetting | "winbackTierDays.0" | "winbackTierDays.1" | "winbackTierDays.2";
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

export type SettingsField = NumberField["key"] | "lapseMode" | "tagPrefix" | "monthlySessions";
export type SettingsErrorKey =
  | "settings.error.number"
  | "settings.error.whole"
  | "settings.error.percent"
  | "settings.error.increasing"
  | "settings.error.minMax"
  | "settings.error.prefixEmpty"
  | "settings.error.prefixLong"
  | "settings.error.prefixComma"
  | "settings.error.prefixSpace"
  | "settings.error.sessions"
  | "settings.error.other";

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
  | { ok: true; settings: LifecycleSettings; flow: { enabled: boolean; onBackfill: boolean }; monthlySessions: number | null; highValueTag: boolean }
  | { ok: false; errors: Partial<Record<SettingsField, SettingsErrorKey>>; detail: string | null };

function parseNumber(text: string, field: NumberField): { value: number } | { error: SettingsErrorKey } {
  const normalized = text.trim().replace(",", ".");
  const value = Number(normalized);
  if (!normalized || !Number.isFinite(value) || value <= 0) return { error: field.kind === "percent" ? "settings.error.percent" : "settings.error.number" };
  if ((field.kind === "count" || field.kind === "gaps") && !Number.isInteger(value)) return { error: "settings.error.whole" };
  if (field.kind === "percent") return value > 100 ? { error: "settings.error.percent" } : { value: value / 100 };
  return { value };
}

/** Reads the posted form (FormData entries as strings; checkboxes "on" when ticked). */
export function parseSettingsForm(form: Record<string, string | undefined>): ParsedSettings {
  const errors: Partial<Record<SettingsField, SettingsErrorKey>> = {};
  const raw: Record<string, unknown> = {};
  raw.lapseMode = (form.lapseMode === "fixed" ? "fixed" : "cadence") satisfies LapseMode;
  const tiers: number[] = [];
  for (const field of NUMBER_FIELDS) {
    const parsed = parseNumber(form[field.key] ?? "", field);
    if ("error" in parsed) {
      errors[field.key] = parsed.error;
      continue;
    }
    if (field.key.startsWith("winbackTierDays.")) tiers[Number(field.key.slice(-1))] = parsed.value;
    else raw[field.key] = parsed.value;
  }
  if (tiers.length === 3 && tiers.every((t) => t !== undefined)) {
    if (!(tiers[0] < tiers[1])) errors["winbackTierDays.1"] = "settings.error.increasing";
    if (!(tiers[1] < tiers[2])) errors["winbackTierDays.2"] = "settings.error.increasing";
    raw.winbackTierDays = tiers;
  }
  for (const [min, max] of [
    ["shopThresholdMinDays", "shopThresholdMaxDays"],
    ["customerThresholdMinDays", "customerThresholdMaxDays"],
  ] as const) {
    if (typeof raw[min] === "number" && typeof raw[max] === "number" && (raw[min] as number) > (raw[max] as number)) errors[max] = "settings.error.minMax";
  }

  const prefix = form.tagPrefix ?? "";
  if (prefix.length === 0) errors.tagPrefix = "settings.error.prefixEmpty";
  else if (prefix.length > TAG_PREFIX_MAX_LENGTH) errors.tagPrefix = "settings.error.prefixLong";
  else if (prefix.includes(",")) errors.tagPrefix = "settings.error.prefixComma";
  else if (prefix.trimStart() !== prefix) errors.tagPrefix = "settings.error.prefixSpace";
  raw.tagPrefix = prefix;

  let monthlySessions: number | null = null;
  if (form.sessionsUnknown !== "on") {
    const text = (form.monthlySessions ?? "").trim().replace(/[\s,.'’]/g, "");
    const sessions = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(sessions) || sessions <= 0) errors.monthlySessions = "settings.error.sessions";
    else monthlySessions = sessions;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, detail: null };
  try {
    const settings = validateLifecycleSettings(raw);
    return {
      ok: true,
      settings,
      flow: { enabled: form.flowEnabled === "on", onBackfill: form.flowOnBackfill === "on" },
      monthlySessions,
      highValueTag: form.highValueTag === "on",
    };
  } catch (error) {
    return { ok: false, errors: {}, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The group each field is shown in. */
export function fieldsOf(group: SettingsGroup): readonly NumberField[] {
  return NUMBER_FIELDS.filter((f) => f.group === group);
}
