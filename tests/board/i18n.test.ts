import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { VERDICTS } from "../../app/board/conversion";
import { parse } from "@formatjs/icu-messageformat-parser";
import { createIntl } from "react-intl";
import { messages, type MessageKey } from "../../app/i18n/messages";
import { polarisTranslations, translate } from "../../app/i18n/i18n";
import { LOCALE_TAGS, LOCALES, type Locale } from "../../app/i18n/locale";
import { IDEA_KEYS, STAGE_ONE_KINDS } from "../../app/domain/stages";
import { CAMPAIGN_CHANNELS } from "../../app/campaigns/manual";
import { MARKETING_TACTICS } from "../../app/domain/tactics";
import { CAMPAIGN_SOURCES } from "../../app/campaigns/import.server";
import { NUMBER_FIELDS } from "../../app/board/settings-form";
import { STAGES } from "../../app/lifecycle";
import { argumentsOf, literalText, pluralsOf } from "../i18n/icu";
import { readGlossary, termPattern, withoutProperNames, wordPattern } from "../i18n/glossary";

/**
 * Strings that are rightly the same as the English in that language (a symbol-only pattern, a product name, a word
 * both languages share). Anything else identical to English is an untranslated string.
 */
const SAME_AS_ENGLISH: Record<"ja" | "nl", readonly MessageKey[]> = {
  ja: ["board.stageName", "settings.flow.title"],
  nl: ["board.stageName", "settings.flow.title", "settings.tags.title", "sync.error.detail", "format.lessThan"],
};

const ROOT = path.resolve(import.meta.dirname, "../..");
const keys = Object.keys(messages.en) as MessageKey[];

describe("every string the app shows exists in English, Japanese and Dutch", () => {
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

  it.each(LOCALES)("every %s message is valid ICU MessageFormat", (locale) => {
    const broken = keys.flatMap((k) => {
      try {
        parse(messages[locale][k]);
        return [];
      } catch (error) {
        return [`${k}: ${(error as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
  });

  it.each(["ja", "nl"] as const)("%s uses exactly the arguments of the English", (locale) => {
    const names = (k: MessageKey, l: Locale) => [...argumentsOf(parse(messages[l][k])).keys()].sort().join();
    expect(
      keys
        .filter((k) => names(k, locale) !== names(k, "en"))
        .map((k) => `${k}: ${names(k, locale)} ≠ ${names(k, "en")}`),
    ).toEqual([]);
  });

  it.each(LOCALES)("every %s plural spells out each form the language has, and 'other'", (locale) => {
    const categories = new Intl.PluralRules(LOCALE_TAGS[locale]).resolvedOptions().pluralCategories;
    const incomplete = keys.filter((k) =>
      pluralsOf(parse(messages[locale][k])).some(
        (forms) => !forms.includes("other") || categories.some((c) => !forms.includes(c)),
      ),
    );
    expect(incomplete).toEqual([]);
  });

  it.each(LOCALES)("every %s message formats without an error, plurals choosing by number", (locale) => {
    const errors: string[] = [];
    const intl = createIntl({
      locale: LOCALE_TAGS[locale],
      messages: messages[locale],
      timeZone: "UTC",
      onError: (e) => errors.push(e.message),
    });
    for (const k of keys) {
      const args = argumentsOf(parse(messages[locale][k]));
      const values = Object.fromEntries(
        [...args].map(([name, use]) => [name, use === "plain" ? `‹${name}›` : use === "plural" ? 2 : "other"]),
      );
      const text = intl.formatMessage({ id: k }, values) as string;
      for (const name of [...args].filter(([, use]) => use === "plain").map(([n]) => n))
        if (!text.includes(`‹${name}›`)) errors.push(`${k}: {${name}} not shown`);
    }
    expect(errors).toEqual([]);
  });

  it("Japanese strings are written in Japanese", () => {
    const japanese = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;
    const latinOnly = keys.filter(
      (k) => !japanese.test(literalText(parse(messages.ja[k]))) && !SAME_AS_ENGLISH.ja.includes(k),
    );
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
      ...VERDICTS.map((v) => `verdict.${v}`),
      ...NUMBER_FIELDS.flatMap((f) => [`settings.field.${f.key}`, `settings.field.${f.key}.help`]),
      ...["customers", "orders", "classify", "segments", "done", "failed"].map((p) => `sync.phase.${p}`),
    ];
    expect(needed.filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("every message key the app's pages use exists (string literals passed to t() or translate())", () => {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(ROOT, dir, e.name)] : [],
        );
    const files = ["app"].flatMap(walk);
    const used = files.flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/(?:\bt\(|\btranslate\(\s*\w+,)\s*"([a-z][\w.-]+)"/g)].map((m) => m[1]),
    );
    expect(used.length).toBeGreaterThan(100);
    expect([...new Set(used)].filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("fills arguments, chooses plural forms by number, and uses Polaris' own translations for each locale", () => {
    expect(translate("en", "board.badge.campaigns", { count: 1 })).toBe("1 active campaign");
    expect(translate("en", "board.badge.campaigns", { count: 1234 })).toBe("1,234 active campaigns");
    expect(translate("nl", "board.badge.campaigns", { count: 1 })).toBe("1 actieve campagne");
    expect(translate("nl", "board.badge.campaigns", { count: 1234 })).toBe("1.234 actieve campagnes");
    expect(translate("ja", "board.badge.campaigns", { count: 3 })).toBe("実施中のキャンペーン 3 件");
    expect(translate("en", "board.emptyBanner.title", { count: 1 })).toBe("One stage has no marketing running");
    expect(translate("nl", "board.stageTitle", { number: 4, name: "x" })).toBe("Fase 4: x");
    for (const locale of LOCALES) expect(polarisTranslations(locale).Polaris).toBeDefined();
    expect(polarisTranslations("ja").Polaris.Common.cancel).not.toBe(polarisTranslations("en").Polaris.Common.cancel);
  });
});

describe("one vocabulary: the glossary in app/i18n/README.md", () => {
  const glossary = readGlossary();
  const words = Object.fromEntries(
    LOCALES.map((l) => [
      l,
      Object.fromEntries(keys.map((k) => [k, withoutProperNames(literalText(parse(messages[l][k])))])),
    ]),
  ) as Record<Locale, Record<MessageKey, string>>;

  it("is read: every concept has English forms and a term in each language", () => {
    expect(glossary.length).toBeGreaterThanOrEqual(15);
    for (const row of glossary) {
      expect(row.en.length, row.concept).toBeGreaterThan(0);
      expect(row.ja.length, row.concept).toBeGreaterThan(0);
      expect(row.nl.length, row.concept).toBeGreaterThan(0);
    }
    expect(glossary.map((r) => r.concept)).toEqual(
      expect.arrayContaining(["stage (a move between levels; a customer's place)", "win-back", "campaign"]),
    );
  });

  it.each(["ja", "nl"] as const)("%s uses the glossary's term wherever the English uses the concept", (locale) => {
    const missing = glossary.flatMap((row) => {
      const terms = row[locale].map(termPattern);
      const english = row.en.map(wordPattern);
      return keys
        .filter((k) => english.some((p) => p.test(words.en[k])) && !terms.some((p) => p.test(words[locale][k])))
        .map((k) => `${row.concept} — ${k}: ${messages[locale][k]}`);
    });
    expect(missing).toEqual([]);
  });

  it.each(["ja", "nl"] as const)("%s uses none of the variants the glossary rules out", (locale) => {
    const found = glossary.flatMap((row) =>
      (locale === "ja" ? row.notJa : row.notNl).flatMap((variant) =>
        keys
          .filter((k) => wordPattern(variant).test(words[locale][k]))
          .map((k) => `${row.concept} — "${variant}" in ${k}: ${messages[locale][k]}`),
      ),
    );
    expect(found).toEqual([]);
  });

  it("the check bites: a variant or a missing term in a message is found", () => {
    const win = glossary.find((r) => r.concept === "win-back")!;
    expect(win.notJa.some((v) => wordPattern(v).test("ウィンバック段階180"))).toBe(true);
    expect(win.nl.some((t) => termPattern(t).test("Terugwinbrieven na 90 dagen"))).toBe(true);
    const tier = glossary.find((r) => r.concept === "win-back tier")!;
    expect(tier.notNl.some((v) => wordPattern(v).test("win-back-niveau 180"))).toBe(true);
    const shop = glossary.find((r) => r.concept === "shop")!;
    expect(shop.notJa.some((v) => wordPattern(v).test("ストア全体の基準"))).toBe(true);
    expect(shop.notJa.some((v) => wordPattern(v).test("オンラインストアの訪問者"))).toBe(false);
  });
});
