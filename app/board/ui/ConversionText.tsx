/** A stage's measured conversion in words: the estimate, its 95% interval, whom it rests on, and what it allows. */
import { BlockStack, Text } from "@shopify/polaris";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { BoardStage } from "../board.server";
import { REFERENCE_BANDS, type Verdict } from "../conversion";
import { SIGNUP_POPUP_REFERENCE } from "../../analytics/metrics";
import { formatChange, formatDate, formatMonth, formatNumber, formatPercent } from "./format";

const KM_RATE: Record<3 | 4 | 5, MessageKey> = { 3: "conversion.km.s3", 4: "conversion.km.s4", 5: "conversion.km.s5" };
const KM_BASE: Record<3 | 4 | 5, MessageKey> = {
  3: "conversion.km.base.s3",
  4: "conversion.km.base.s4",
  5: "conversion.km.base.s5",
};
const NO_COHORT: Record<3 | 4 | 5, MessageKey> = {
  3: "conversion.noCohort.s3",
  4: "conversion.noCohort.s4",
  5: "conversion.noCohort.s5",
};
const VERDICT_WHY: Partial<Record<Verdict, MessageKey>> = {
  notWeak: "verdict.why.notWeak",
  notStrong: "verdict.why.notStrong",
  unsure: "verdict.why.unsure",
};

function Small({ children, testId }: { children: string; testId?: string }) {
  return (
    <Text as="p" variant="bodySm" tone="subdued">
      {testId ? <span data-testid={testId}>{children}</span> : children}
    </Text>
  );
}

/** What an unsure or one-sided verdict means, under the figures. */
export function VerdictWhy({ verdict }: { verdict: Verdict }) {
  const t = useT();
  const key = VERDICT_WHY[verdict];
  return key ? <Small testId="verdict-why">{t(key)}</Small> : null;
}

export function ConversionText({ stage }: { stage: BoardStage }) {
  const t = useT();
  const locale = useLocale();
  const c = stage.conversion;
  if (c.fromAnalytics) return <AnalyticsConversionText stage={stage} />;
  if (c.unmeasured === "sessionsUnknown") return <Text as="p">{t("conversion.sessionsUnknown")}</Text>;
  if (c.unmeasured === "measuring") return <Text as="p">{t("conversion.measuring")}</Text>;
  if (stage.number === 1)
    return <Text as="p">{t("conversion.s1", { sessions: formatNumber(locale, stage.targetCustomers ?? 0) })}</Text>;
  const e = c.estimate;
  const interval = e
    ? t("conversion.interval", { lower: formatPercent(locale, e.lower), upper: formatPercent(locale, e.upper) })
    : "";
  if (stage.number === 2) {
    if (!e) return <Text as="p">{t("conversion.sessionsUnknown")}</Text>;
    return (
      <BlockStack gap="050">
        <Text as="p">
          {t("conversion.s2", {
            rate: formatPercent(locale, e.rate),
            converted: formatNumber(locale, e.converted),
            base: formatNumber(locale, e.customers),
            days: c.windowDays,
          })}
        </Text>
        <Small testId="conversion-interval">{interval}</Small>
        <SignupReference />
      </BlockStack>
    );
  }
  const n = stage.number as 3 | 4 | 5;
  if (!e) return <Text as="p">{t(NO_COHORT[n], { from: formatDate(locale, c.cohortFrom) })}</Text>;
  return (
    <BlockStack gap="050">
      <Text as="p" fontWeight="semibold">
        <span data-testid="conversion-rate">
          {t(KM_RATE[n], { rate: formatPercent(locale, e.rate), days: e.horizonDays })}
        </span>
      </Text>
      <Small testId="conversion-interval">{interval}</Small>
      <Small testId="conversion-base">
        {t(KM_BASE[n], {
          customers: e.customers,
          converted: formatNumber(locale, e.converted),
          from: formatDate(locale, c.cohortFrom),
          to: formatDate(locale, c.cohortTo),
        })}
      </Small>
      {e.horizonDays < c.windowDays ? (
        <Small testId="conversion-short-horizon">
          {t("conversion.km.shortHorizon", { days: e.horizonDays, window: c.windowDays })}
        </Small>
      ) : (
        <Small>{t("conversion.km.method", { days: c.windowDays })}</Small>
      )}
    </BlockStack>
  );
}

/** Stage 2's reference, with its source: the strong line is what an average sign-up pop-up converts. */
function SignupReference() {
  const t = useT();
  const locale = useLocale();
  const band = REFERENCE_BANDS[2]!;
  return (
    <Small testId="signup-reference">
      {t("conversion.s2.reference", {
        strong: formatPercent(locale, band.strongAbove),
        reference: formatPercent(locale, SIGNUP_POPUP_REFERENCE),
      })}
    </Small>
  );
}

/** Stages 1–2 measured from Shopify's analytics (the visitors trend; new subscribers ÷ visitors, with the reference). */
function AnalyticsConversionText({ stage }: { stage: BoardStage }) {
  const t = useT();
  const locale = useLocale();
  const c = stage.conversion;
  const e = c.estimate;
  // cohortTo is the start of the month after the last complete month.
  const lastDay = c.cohortTo ? new Date(new Date(c.cohortTo).getTime() - 1).toISOString() : null;
  const month = formatMonth(locale, lastDay);
  if (stage.number === 1) {
    const visitors = formatNumber(locale, stage.targetCustomers ?? 0);
    if (!e) return <Text as="p">{t("conversion.s1.short", { visitors, month })}</Text>;
    return (
      <BlockStack gap="050">
        <Text as="p">
          {t("conversion.s1.analytics", {
            visitors,
            month,
            months: Math.round(c.windowDays / 30),
            recent: formatNumber(locale, e.converted),
            previous: formatNumber(locale, e.customers),
            change: formatChange(locale, e.rate),
          })}
        </Text>
        <Small testId="conversion-interval">
          {t("conversion.interval", { lower: formatChange(locale, e.lower), upper: formatChange(locale, e.upper) })}
        </Small>
      </BlockStack>
    );
  }
  return (
    <BlockStack gap="050">
      <Text as="p">
        {t("conversion.s2.analytics", {
          rate: formatPercent(locale, e?.rate ?? 0),
          converted: formatNumber(locale, e?.converted ?? 0),
          base: formatNumber(locale, e?.customers ?? 0),
          month: formatMonth(locale, c.cohortFrom),
        })}
      </Text>
      {e && (
        <Small testId="conversion-interval">
          {t("conversion.interval", { lower: formatPercent(locale, e.lower), upper: formatPercent(locale, e.upper) })}
        </Small>
      )}
      <SignupReference />
    </BlockStack>
  );
}

export function BandText({ stageNumber }: { stageNumber: BoardStage["number"] }) {
  const t = useT();
  const locale = useLocale();
  const band = REFERENCE_BANDS[stageNumber];
  if (!band) return null;
  if (stageNumber === 1) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        {t("board.band.s1", {
          weak: formatPercent(locale, 1 - band.weakBelow),
          strong: formatPercent(locale, band.strongAbove - 1),
        })}
        {` ${t("board.band.ruleOfThumb")}`}
      </Text>
    );
  }
  return (
    <Text as="p" variant="bodySm" tone="subdued">
      {t("board.band", {
        weak: formatPercent(locale, band.weakBelow),
        strong: formatPercent(locale, band.strongAbove),
      })}
      {band.fromModel ? "" : ` ${t("board.band.ruleOfThumb")}`}
    </Text>
  );
}
