import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { messages, type MessageKey } from "../../app/i18n/messages";
import { polarisTranslations, translate } from "../../app/i18n/i18n";
import { LOCALES } from "../../app/i18n/locale";
import { IDEA_KEYS, STAGE_ONE_KINDS } from "../../app/board/stages";
import { CAMPAIGN_CHANNELS } from "../../app/campaigns/manual";
import { MARKETING_TACTICS } from "../../app/campaigns/tactics";
import { CAMPAIGN_SOURCES } from "../../app/campaigns/import.server";
import { NUMBER_FIELDS } from "../../app/board/settings-form";
import { STAGES } from "../../app/lifecycle";

/**
 * Strings that are rightly the same as the English in that language (a symbol-only pattern, a product name, a word
 * both languages share). Anything else identical to English is an untranslated string.
 */
const SAME_AS_ENGLISH: Record<"ja" | "nl", readonly MessageKey[]> = {
  ja: ["board.stageName", "settings.flow.title"],
  nl: ["board.stageName", "settings.flow.title", "settings.tags.title", "sync.error.detail"],
};

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const ROOT = path.resolve(import.meta.dirname, "../..");

describe("every string the app shows exists in English, Japanese and Dutch", () => {
  const keys = Object.keys(messages.en) as MessageKey[];

  it.each(["ja", "nl"] as const)("%s has every key, and no key English does not have", (locale) => {
    const missing = keys.filter((k) => typeof messages[locale][k] !== "string" || messages[locale][k].trim() === "");
    const extra = Object.keys(messages[locale]).filter((k) => !(k in messages.en));
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
  });

  it.each(["ja", "nl"] as const)("%s translates every string (identical to English only where listed)", (locale) => {
    const identical = keys.filter((k) => messages[locale][k] === messages.en[k]);
    expect(identical.sort()).toEqual([...SAME_AS_ENGLISH[locale]].sort());
  });

  it.each(["ja", "nl"] as const)("%s keeps exactly the placeholders of the English", (locale) => {
    const mismatched = keys.filter((k) => placeholders(messages[locale][k]).join() !== placeholders(messages.en[k]).join());
    expect(mismatched).toEqual([]);
  });

  it("Japanese strings are written in Japanese", () => {
    const japanese = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;
    const latinOnly = (Object.keys(messages.ja) as MessageKey[]).filter((k) => !japanese.test(messages.ja[k]) && !SAME_AS_ENGLISH.ja.includes(k));
    // Only proper names and abbreviations may stay in Latin letters.
    expect(latinOnly.sort()).toEqual(["channel.SMS"]);
  });

  it("has a label for every code the pages show: stages, levels, kinds, ideas, channels, tactics, sources, states, verdicts, settings", () => {
    const needed = [
      ...STAGES.map((s) => `stage.${s}`),
      "level.world",
      ...STAGE_ONE_KINDS.flatMap((k) => [`kind.${k}`, `kind.${k}.help`]),
      ...IDEA_KEYS,
      ...CAMPAIGN_CHANNELS.map((c) => `channel.${c}`),
      ...MARKETING_TACTICS.map((t) => `tactic.${t}`),
      ...CAMPAIGN_SOURCES.map((s) => `source.${s}`),
      ...["active", "scheduled", "ended"].map((s) => `state.${s}`),
      ...["weak", "typical", "strong", "tooFew", "unknown"].map((v) => `verdict.${v}`),
      ...NUMBER_FIELDS.flatMap((f) => [`settings.field.${f.key}`, `settings.field.${f.key}.help`]),
      ...["customers", "orders", "classify", "segments", "done", "failed"].map((p) => `sync.phase.${p}`),
    ];
    expect(needed.filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("every message key the app's pages use exists (string literals passed to t())", () => {
    const walk = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(ROOT, dir, e.name)] : [],
      );
    const files = [...["app/board", "app/routes"].flatMap(walk), path.join(ROOT, "app/models/customer-list.server.ts")];
    const used = files.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/\bt\(\s*"([^"]+)"/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(100);
    expect([...new Set(used)].filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("fills placeholders and uses Polaris' own translations for each locale", () => {
    expect(translate("ja", "board.badge.campaignsOther", { count: 3 })).toBe("実施中のキャンペーン 3 件");
    expect(translate("nl", "board.stageTitle", { number: 4, name: "x" })).toBe("Fase 4: x");
    for (const locale of LOCALES) expect(polarisTranslations(locale).Polaris).toBeDefined();
    expect(polarisTranslations("ja").Polaris.Common.cancel).not.toBe(polarisTranslations("en").Polaris.Common.cancel);
  });
});
